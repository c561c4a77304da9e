import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireRole, type Principal } from '#libs/auth';
import { FailedJobsService } from '#libs/rollouts';

@ApiTags('jobs')
@ApiBearerAuth()
@RequireRole('admin')
@Controller('v1/jobs')
export class JobsController {
  constructor(private readonly failedJobs: FailedJobsService) {}

  @Get('queues')
  @ApiOperation({ summary: 'Jobs per state in each queue' })
  queues() {
    return this.failedJobs.counts();
  }

  @Get('failed')
  @ApiOperation({
    summary: "Jobs of this tenant's rollouts that exhausted their attempts, with the last error",
  })
  failed(@CurrentPrincipal() principal: Principal) {
    return this.failedJobs.failed(principal.tenantId);
  }
}
