import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiPropertyOptional, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import type { Actor } from '#libs/audit';
import { CurrentActor, CurrentPrincipal, type Principal } from '#libs/auth';
import { ApiDoc, ApiErrors, ApiOfficerController, ApiPathParam } from '#libs/platform';
import { FailedJobsService, RolloutsService } from '#libs/rollouts';
import { RolloutDetailResponse, RolloutResponse, RolloutWithJobsResponse } from './rollouts.openapi.js';

const rolloutId = ApiPathParam('id', 'id of a rollout (a UUID), as publishing a version returns it');

export class RolloutsQuery {
  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 500, description: 'rollouts to return' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer between 1 and 500' })
  @Min(1, { message: 'limit must be an integer between 1 and 500' })
  @Max(500, { message: 'limit must be an integer between 1 and 500' })
  limit?: number;
}

@ApiTags('rollouts')
@ApiOfficerController()
@Controller('v1/rollouts')
export class RolloutsController {
  constructor(
    private readonly rollouts: RolloutsService,
    private readonly failedJobs: FailedJobsService,
  ) {}

  @Get()
  @ApiDoc(
    'List the rollouts',
    'Rollouts of your tenant, newest first, with their counts per delivery state and percent done. Any role.',
  )
  @ApiResponse({ status: 200, type: [RolloutResponse], description: 'the rollouts' })
  @ApiErrors(400)
  list(@CurrentPrincipal() principal: Principal, @Query() query: RolloutsQuery) {
    return this.rollouts.list(principal.tenantId, query.limit);
  }

  @Get(':id')
  @ApiDoc(
    'Follow one rollout',
    'Counts per delivery state, percent done, why deliveries fail or wait, and the jobs that gave up. Any role.',
  )
  @rolloutId
  @ApiResponse({ status: 200, type: RolloutWithJobsResponse, description: 'the rollout' })
  @ApiErrors(404)
  async get(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    const detail = await this.rollouts.get(principal.tenantId, id);
    return { ...detail, failedJobs: await this.failedJobs.failed(principal.tenantId, id) };
  }

  @Post(':id/pause')
  @HttpCode(200)
  @ApiDoc(
    'Pause a rollout',
    'Stops waking phones (those checking in on their own still get the command). Only a running rollout (409 `ROLLOUT_STATE` otherwise). Officer or above; audited.',
  )
  @rolloutId
  @ApiResponse({ status: 200, type: RolloutDetailResponse, description: 'the paused rollout' })
  @ApiErrors(403, 404, 409)
  pause(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return this.rollouts.pause(actor, id);
  }

  @Post(':id/resume')
  @HttpCode(200)
  @ApiDoc(
    'Resume a paused rollout',
    'Phones are woken again where the rollout stopped. Only a paused rollout (409 `ROLLOUT_STATE` otherwise). Officer or above; audited.',
  )
  @rolloutId
  @ApiResponse({ status: 200, type: RolloutDetailResponse, description: 'the running rollout' })
  @ApiErrors(403, 404, 409)
  resume(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return this.rollouts.resume(actor, id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiDoc(
    'Cancel a rollout',
    'For good: open deliveries and their queued commands are cancelled; phones that installed the version keep it. Officer or above; audited.',
  )
  @rolloutId
  @ApiResponse({ status: 200, type: RolloutDetailResponse, description: 'the cancelled rollout' })
  @ApiErrors(403, 404, 409)
  cancel(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return this.rollouts.cancel(actor, id);
  }
}
