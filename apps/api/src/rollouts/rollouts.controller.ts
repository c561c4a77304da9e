import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import type { Actor } from '#libs/audit';
import { CurrentActor, CurrentPrincipal, type Principal } from '#libs/auth';
import { FailedJobsService, RolloutsService } from '#libs/rollouts';

export class RolloutsQuery {
  @ApiPropertyOptional({ default: 50, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer between 1 and 500' })
  @Min(1, { message: 'limit must be an integer between 1 and 500' })
  @Max(500, { message: 'limit must be an integer between 1 and 500' })
  limit?: number;
}

@ApiTags('rollouts')
@ApiBearerAuth()
@Controller('v1/rollouts')
export class RolloutsController {
  constructor(
    private readonly rollouts: RolloutsService,
    private readonly failedJobs: FailedJobsService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Rollouts, newest first, with their counts per delivery state' })
  list(@CurrentPrincipal() principal: Principal, @Query() query: RolloutsQuery) {
    return this.rollouts.list(principal.tenantId, query.limit);
  }

  @Get(':id')
  @ApiOperation({
    summary: 'One rollout: counts per delivery state, percent done, reasons, jobs that gave up',
  })
  async get(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    const detail = await this.rollouts.get(principal.tenantId, id);
    return { ...detail, failedJobs: await this.failedJobs.failed(principal.tenantId, id) };
  }

  @Post(':id/pause')
  @HttpCode(200)
  @ApiOperation({ summary: 'Stop waking phones (those checking in on their own still get the command)' })
  pause(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return this.rollouts.pause(actor, id);
  }

  @Post(':id/resume')
  @HttpCode(200)
  resume(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return this.rollouts.resume(actor, id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel for good: open deliveries and their queued commands cancelled' })
  cancel(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return this.rollouts.cancel(actor, id);
  }
}
