import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { JobName, QueueName, type JobOf } from '#libs/jobs';
import { PushLegService } from './push-leg.service.js';

/** One job per slice of a rollout's deliveries: its due pushes, multiplexed on one APNs connection. */
@Processor(QueueName.ApplePushes)
export class ApplePushesProcessor extends WorkerHost implements OnApplicationBootstrap {
  constructor(
    private readonly pushLeg: PushLegService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  onApplicationBootstrap() {
    this.worker.concurrency = this.config.QUEUE_CONCURRENCY_APPLE_PUSHES;
  }

  async process(job: Job): Promise<unknown> {
    if (job.name !== JobName.ApplePushSlice) {
      throw new Error(`apple-pushes queue has no handler for job ${job.name}`);
    }
    const { rolloutId, slice } = job.data as JobOf<JobName.ApplePushSlice>;
    return this.pushLeg.pushSlice(rolloutId, slice);
  }
}
