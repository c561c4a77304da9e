import { BullModule, InjectQueue } from '@nestjs/bullmq';
import { Global, Injectable, Module } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { JOB_QUEUE, jobOptions, QueueName, type JobItem } from './queues.js';

/** What a caller may add to the options of queues.ts: when, never how often or under which id. */
export interface EnqueueTiming {
  delay?: number;
}

/** Producer side: the one way code enqueues a job, with the options of queues.ts. */
@Injectable()
export class JobQueue {
  private readonly queues: Record<QueueName, Queue>;

  constructor(
    @InjectQueue(QueueName.Maintenance) maintenance: Queue,
    @InjectQueue(QueueName.Rollouts) rollouts: Queue,
    @InjectQueue(QueueName.ApplePushes) applePushes: Queue,
    @InjectQueue(QueueName.Compliance) compliance: Queue,
    @InjectQueue(QueueName.Webhooks) webhooks: Queue,
    @InjectQueue(QueueName.Android) android: Queue,
    @InjectQueue(QueueName.AppleAde) appleAde: Queue,
  ) {
    this.queues = {
      [QueueName.Maintenance]: maintenance,
      [QueueName.Rollouts]: rollouts,
      [QueueName.ApplePushes]: applePushes,
      [QueueName.Compliance]: compliance,
      [QueueName.Webhooks]: webhooks,
      [QueueName.Android]: android,
      [QueueName.AppleAde]: appleAde,
    };
  }

  queue(name: QueueName): Queue {
    return this.queues[name];
  }

  all(): Queue[] {
    return Object.values(this.queues);
  }

  async enqueue(item: JobItem, timing: EnqueueTiming = {}): Promise<string | undefined> {
    const job = await this.queues[JOB_QUEUE[item.name]].add(item.name, item.data, {
      ...jobOptions(item),
      ...timing,
    });
    return job.id;
  }

  /** Many jobs in one Redis round trip per queue (BullMQ addBulk). */
  async enqueueBulk(items: JobItem[]): Promise<void> {
    const byQueue = new Map<QueueName, JobItem[]>();
    for (const item of items) {
      const name = JOB_QUEUE[item.name];
      byQueue.set(name, [...(byQueue.get(name) ?? []), item]);
    }
    for (const [name, queued] of byQueue) {
      await this.queues[name].addBulk(
        queued.map((item) => ({ name: item.name, data: item.data, opts: jobOptions(item) })),
      );
    }
  }

  /**
   * Enqueues a job with a deterministic id even if a finished job holds that id: a completed or
   * failed job is removed first (its work is not done, or the caller would not ask again). Waiting,
   * delayed or active jobs are left alone, so asking twice adds nothing.
   */
  async ensure(item: JobItem, timing: EnqueueTiming = {}): Promise<void> {
    const options = jobOptions(item);
    const queue = this.queues[JOB_QUEUE[item.name]];
    if (options.jobId) {
      const existing = await queue.getJob(options.jobId);
      const state = existing ? await existing.getState() : undefined;
      if (existing && (state === 'completed' || state === 'failed')) await existing.remove();
    }
    await queue.add(item.name, item.data, { ...options, ...timing });
  }
}

@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        connection: { url: config.REDIS_URL, maxRetriesPerRequest: null },
        prefix: config.QUEUE_PREFIX,
      }),
    }),
    ...Object.values(QueueName).map((name) => BullModule.registerQueue({ name })),
  ],
  providers: [JobQueue],
  exports: [JobQueue, BullModule],
})
export class JobsModule {}
