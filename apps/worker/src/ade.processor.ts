import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { AdeAccountsService, AdeSyncService } from '#libs/apple-server';
import { JobName, JobQueue, QueueName, type JobOf } from '#libs/jobs';

/**
 * Apple Business Manager sync and assignment. Concurrency 1: the runs of one token never overlap
 * (deduplication keeps one queued per tenant), and Apple sees one client per deployment.
 */
@Processor(QueueName.AppleAde, { concurrency: 1 })
export class AdeProcessor extends WorkerHost {
  private readonly logger = new Logger(AdeProcessor.name);

  constructor(
    private readonly sync: AdeSyncService,
    private readonly accounts: AdeAccountsService,
    private readonly jobs: JobQueue,
  ) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    switch (job.name as JobName) {
      case JobName.AdeSync: {
        const { tenantId } = job.data as JobOf<JobName.AdeSync>;
        const report = await this.sync.sync(tenantId);
        this.logger.log({ tenantId, ...report }, 'ADE sync finished');
        return report;
      }
      case JobName.AdeSyncAll: {
        const tenantIds = await this.accounts.tenantsWithToken();
        for (const tenantId of tenantIds)
          await this.jobs.enqueue({ name: JobName.AdeSync, data: { tenantId } });
        return { enqueued: tenantIds.length };
      }
      default:
        throw new Error(`apple-ade queue has no handler for job ${job.name}`);
    }
  }
}
