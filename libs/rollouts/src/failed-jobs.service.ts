import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { JobQueue, QueueName } from '#libs/jobs';

export interface FailedJobView {
  queue: string;
  id: string;
  name: string;
  rolloutId: string;
  data: Record<string, unknown>;
  /** The error of the last attempt. */
  reason: string;
  attempts: number;
  failedAt: Date | null;
}

export interface QueueCounts {
  queue: string;
  counts: Record<string, number>;
}

/** How many of the newest failed jobs per queue are looked at (BullMQ keeps up to removeOnFail). */
const FAILED_SCAN = 500;
const ROLLOUT_QUEUES = [QueueName.Rollouts, QueueName.ApplePushes];

/**
 * Jobs that exhausted their attempts, as a tenant may see them: only those of its own rollouts
 * (queues are shared by every tenant of the deployment).
 */
@Injectable()
export class FailedJobsService {
  constructor(
    private readonly jobs: JobQueue,
    private readonly dataSource: DataSource,
  ) {}

  async failed(tenantId: string, rolloutId?: string): Promise<FailedJobView[]> {
    const found: FailedJobView[] = [];
    for (const name of ROLLOUT_QUEUES) {
      const failed = await this.jobs.queue(name).getFailed(0, FAILED_SCAN - 1);
      for (const job of failed) {
        const data = (job.data ?? {}) as Record<string, unknown>;
        if (typeof data.rolloutId !== 'string' || (rolloutId && data.rolloutId !== rolloutId)) continue;
        found.push({
          queue: name,
          id: String(job.id),
          name: job.name,
          rolloutId: data.rolloutId,
          data,
          reason: job.failedReason,
          attempts: job.attemptsMade,
          failedAt: job.finishedOn ? new Date(job.finishedOn) : null,
        });
      }
    }
    const ids = [...new Set(found.map((j) => j.rolloutId))];
    if (ids.length === 0) return [];
    const own: Array<{ id: string }> = await this.dataSource.query(
      'SELECT id FROM rollouts WHERE tenant_id = $1 AND id = ANY($2::uuid[])',
      [tenantId, ids],
    );
    const mine = new Set(own.map((r) => r.id));
    return found.filter((j) => mine.has(j.rolloutId));
  }

  /** Jobs per state in every queue (counts only: nothing about any tenant). */
  async counts(): Promise<QueueCounts[]> {
    return Promise.all(
      this.jobs.all().map(async (queue) => ({
        queue: queue.name,
        counts: await queue.getJobCounts(
          'waiting',
          'active',
          'delayed',
          'failed',
          'completed',
          'prioritized',
        ),
      })),
    );
  }
}
