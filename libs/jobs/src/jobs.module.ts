import { BullModule, InjectQueue } from '@nestjs/bullmq';
import { Global, Injectable, Module } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { JOB_QUEUE, jobOptions, QueueName, type JobItem } from './queues.js';

/** Producer side: the one way code enqueues a job, with the options of queues.ts. */
@Injectable()
export class JobQueue {
  private readonly queues: Record<QueueName, Queue>;

  constructor(
    @InjectQueue(QueueName.Maintenance) maintenance: Queue,
    @InjectQueue(QueueName.AppleAde) appleAde: Queue,
  ) {
    this.queues = { [QueueName.Maintenance]: maintenance, [QueueName.AppleAde]: appleAde };
  }

  queue(name: QueueName): Queue {
    return this.queues[name];
  }

  async enqueue(item: JobItem): Promise<string | undefined> {
    const job = await this.queues[JOB_QUEUE[item.name]].add(item.name, item.data, jobOptions(item));
    return job.id;
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
