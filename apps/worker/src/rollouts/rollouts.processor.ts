import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { JobName, JobQueue, QueueName, type JobOf } from '#libs/jobs';
import { ReconcilerService, RolloutFanOutService } from '#libs/rollouts';

/** Rollout fan-out (deliveries and commands, then one push job per slice) and the reconciler. */
@Processor(QueueName.Rollouts)
export class RolloutsProcessor extends WorkerHost implements OnApplicationBootstrap {
  constructor(
    private readonly fanOut: RolloutFanOutService,
    private readonly reconciler: ReconcilerService,
    private readonly jobs: JobQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  onApplicationBootstrap() {
    this.worker.concurrency = this.config.QUEUE_CONCURRENCY_ROLLOUTS;
  }

  async process(job: Job): Promise<unknown> {
    switch (job.name as JobName) {
      case JobName.RolloutStart: {
        const { rolloutId } = job.data as JobOf<JobName.RolloutStart>;
        const result = await this.fanOut.start(rolloutId);
        // If this worker dies between the commit and here, the reconciler finds the overdue slices.
        if (result.started) {
          await this.reconciler.pushFirstRound(rolloutId, result.slices);
          // The Android leg: one AMAPI policy patch per targeted group, on its own queue and retries.
          await this.jobs.enqueue({ name: JobName.AndroidRolloutLeg, data: { rolloutId } });
        }
        return result;
      }
      case JobName.RolloutReconcile:
        return this.reconciler.reconcile();
      default:
        throw new Error(`rollouts queue has no handler for job ${job.name}`);
    }
  }
}
