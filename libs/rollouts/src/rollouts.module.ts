import { Module } from '@nestjs/common';
import { DeliveryPushesService } from './delivery-pushes.service.js';
import { FailedJobsService } from './failed-jobs.service.js';
import { DeliveryTrackerService } from './delivery-tracker.service.js';
import { ReconcilerService } from './reconciler.service.js';
import { RolloutFanOutService } from './rollout-fan-out.service.js';
import { RolloutRepository } from './rollout.repository.js';
import { RolloutSchedulerService } from './rollout-scheduler.service.js';
import { RolloutsService } from './rollouts.service.js';

/**
 * What the phone-facing process needs: delivery states moved by command results. No queue, so the
 * mdm process does not depend on Redis.
 */
@Module({ providers: [DeliveryTrackerService], exports: [DeliveryTrackerService] })
export class DeliveryTrackingModule {}

/** Rollouts and deliveries. Needs PersistenceModule, JobsModule and AuditModule in the application. */
@Module({
  imports: [DeliveryTrackingModule],
  providers: [
    RolloutRepository,
    RolloutSchedulerService,
    RolloutFanOutService,
    DeliveryPushesService,
    ReconcilerService,
    RolloutsService,
    FailedJobsService,
  ],
  exports: [
    DeliveryTrackingModule,
    RolloutSchedulerService,
    RolloutFanOutService,
    DeliveryPushesService,
    ReconcilerService,
    RolloutsService,
    FailedJobsService,
  ],
})
export class RolloutsModule {}
