import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { WebhookDispatcherService, WebhookSenderService } from '#libs/compliance';
import { JobName, QueueName, type JobOf } from '#libs/jobs';

/** Compliance events to webhook deliveries, and delivery attempts (retried by BullMQ with backoff). */
@Processor(QueueName.Webhooks, { concurrency: 8 })
export class WebhooksProcessor extends WorkerHost {
  constructor(
    private readonly dispatcher: WebhookDispatcherService,
    private readonly sender: WebhookSenderService,
  ) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    switch (job.name as JobName) {
      case JobName.WebhookDispatch:
        return this.dispatcher.dispatch();
      case JobName.WebhookDeliver: {
        const { deliveryId } = job.data as JobOf<JobName.WebhookDeliver>;
        const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        return this.sender.attempt(deliveryId, lastAttempt);
      }
      default:
        throw new Error(`webhooks queue has no handler for job ${job.name}`);
    }
  }
}
