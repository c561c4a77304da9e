import { describe, expect, it } from '@jest/globals';
import { DelayedError, type Job } from 'bullmq';
import type {
  ComplianceEvaluator,
  ComplianceSnapshotsService,
  ComplianceSweepService,
  InventoryRefreshService,
} from '#libs/compliance';
import { JobName, QueueName, type JobQueue } from '#libs/jobs';
import type { PushLegService } from '../push/push-leg.service.js';
import { ComplianceProcessor, PUSH_ROUND_MAX_WAIT_MS, PUSH_ROUND_POLL_MS } from './compliance.processor.js';

function setUp(pushJobs: { waiting?: number; active?: number; prioritized?: number }) {
  const evaluated: string[] = [];
  const askedQueues: string[] = [];
  const evaluator = {
    evaluateInDatabase: async (tenantId: string) => {
      evaluated.push(tenantId);
      return [];
    },
  } as unknown as ComplianceEvaluator;
  const snapshots = { takeToday: async () => undefined } as unknown as ComplianceSnapshotsService;
  const jobs = {
    queue: (name: QueueName) => {
      askedQueues.push(name);
      return {
        getJobCounts: async () => ({ waiting: 0, active: 0, prioritized: 0, ...pushJobs }),
      };
    },
  } as unknown as JobQueue;
  const processor = new ComplianceProcessor(
    evaluator,
    {} as ComplianceSweepService,
    {} as InventoryRefreshService,
    snapshots,
    {} as PushLegService,
    jobs,
  );
  return { processor, evaluated, askedQueues };
}

function evaluationJob(enqueuedMsAgo: number) {
  const delayedUntil: number[] = [];
  const job = {
    name: JobName.ComplianceEvaluateTenant,
    data: { tenantId: 'tenant-1' },
    timestamp: Date.now() - enqueuedMsAgo,
    moveToDelayed: async (timestamp: number, token?: string) => {
      expect(token).toBe('lock-token');
      delayedUntil.push(timestamp);
    },
  } as unknown as Job;
  return { job, delayedUntil };
}

describe('the tenant re-evaluation after a rollout yields to the first push round', () => {
  it('waits (delayed, not failed) while APNs push slices are waiting or running', async () => {
    const { processor, evaluated, askedQueues } = setUp({ waiting: 37, active: 2 });
    const { job, delayedUntil } = evaluationJob(5_000);
    const before = Date.now();
    await expect(processor.process(job, 'lock-token')).rejects.toBeInstanceOf(DelayedError);
    expect(evaluated).toEqual([]);
    expect(askedQueues).toEqual([QueueName.ApplePushes]);
    expect(delayedUntil).toHaveLength(1);
    expect(delayedUntil[0]).toBeGreaterThanOrEqual(before + PUSH_ROUND_POLL_MS);
  });

  it('runs at once when no push slice is queued', async () => {
    const { processor, evaluated } = setUp({});
    const { job, delayedUntil } = evaluationJob(5_000);
    await expect(processor.process(job, 'lock-token')).resolves.toEqual({ changes: 0 });
    expect(evaluated).toEqual(['tenant-1']);
    expect(delayedUntil).toEqual([]);
  });

  it('runs anyway once it has waited its longest, however busy the push queue is', async () => {
    const { processor, evaluated } = setUp({ waiting: 500 });
    const { job, delayedUntil } = evaluationJob(PUSH_ROUND_MAX_WAIT_MS + 1);
    await expect(processor.process(job, 'lock-token')).resolves.toEqual({ changes: 0 });
    expect(evaluated).toEqual(['tenant-1']);
    expect(delayedUntil).toEqual([]);
  });
});
