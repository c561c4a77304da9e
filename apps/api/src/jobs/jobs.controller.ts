import { Controller, Get } from '@nestjs/common';
import { ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireRole, type Principal } from '#libs/auth';
import { ApiDoc, ApiErrors, ApiOfficerController } from '#libs/platform';
import { FailedJobsService } from '#libs/rollouts';
import { FailedJobResponse, QueueCountsResponse } from '../rollouts/rollouts.openapi.js';

@ApiTags('jobs')
@ApiOfficerController()
@ApiErrors(403)
@RequireRole('admin')
@Controller('v1/jobs')
export class JobsController {
  constructor(private readonly failedJobs: FailedJobsService) {}

  @Get('queues')
  @ApiDoc(
    'Count the jobs in each queue',
    'Jobs per state (waiting, active, delayed, failed, completed) in each BullMQ queue of the deployment; the dashboard is at `/admin/queues`. Admin only.',
  )
  @ApiResponse({ status: 200, type: [QueueCountsResponse], description: 'counts per queue' })
  queues() {
    return this.failedJobs.counts();
  }

  @Get('failed')
  @ApiDoc(
    'List the jobs that gave up',
    'Jobs of your tenant’s rollouts that exhausted their attempts, with the last error. Admin only.',
  )
  @ApiResponse({ status: 200, type: [FailedJobResponse], description: 'the failed jobs' })
  failed(@CurrentPrincipal() principal: Principal) {
    return this.failedJobs.failed(principal.tenantId);
  }
}
