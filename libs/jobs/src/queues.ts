import type { JobsOptions } from 'bullmq';

/**
 * Queue names are stored in Redis keys: DO NOT CHANGE A VALUE, or jobs already queued under the
 * old name stall. Add new names instead.
 */
export enum QueueName {
  Maintenance = 'maintenance',
  /** Apple Business Manager sync and assignment; consumed one job at a time. */
  AppleAde = 'apple-ade',
}

export enum JobName {
  /** Re-verifies every tenant's audit hash chain and reports the first broken link. */
  AuditChainVerify = 'audit.chain-verify',
  /** Warns about APNs push certificates that expire within 30 days (or have expired). */
  PushCertificateExpiryCheck = 'apple.push-certificate-expiry-check',
  /** Fetches or syncs one tenant's ABM devices, then assigns the ADE profile to those due. */
  AdeSync = 'apple.ade-sync',
  /** Enqueues an AdeSync for every tenant with an ABM server token. */
  AdeSyncAll = 'apple.ade-sync-all',
}

/** Every job with its payload. Payloads carry ids only: handlers re-read the database. */
export type JobItem =
  | { name: JobName.AuditChainVerify; data: { tenantId?: string } }
  | { name: JobName.PushCertificateExpiryCheck; data: Record<string, never> }
  | { name: JobName.AdeSync; data: { tenantId: string } }
  | { name: JobName.AdeSyncAll; data: Record<string, never> };

export type JobOf<N extends JobName> = Extract<JobItem, { name: N }>['data'];

export const JOB_QUEUE: Record<JobName, QueueName> = {
  [JobName.AuditChainVerify]: QueueName.Maintenance,
  [JobName.PushCertificateExpiryCheck]: QueueName.Maintenance,
  [JobName.AdeSync]: QueueName.AppleAde,
  [JobName.AdeSyncAll]: QueueName.AppleAde,
};

const DEFAULTS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: 1000,
  removeOnFail: 5000,
};

/** All job options (retries, deduplication) in one place. */
export function jobOptions(item: JobItem): JobsOptions {
  switch (item.name) {
    case JobName.AuditChainVerify:
      // While one verification waits or runs, asking again adds nothing (BullMQ deduplication,
      // unlike a fixed jobId, lets the next request through once the job has finished).
      return {
        ...DEFAULTS,
        attempts: 1,
        deduplication: { id: `audit-verify-${item.data.tenantId ?? 'all'}` },
      };
    case JobName.PushCertificateExpiryCheck:
      return { ...DEFAULTS, attempts: 1, deduplication: { id: 'push-certificate-expiry-check' } };
    case JobName.AdeSync:
      // One sync per token at a time: a request while one waits or runs adds nothing. Retries
      // cover 429/5xx the client's own backoff did not outlast (a minute, then two, four...).
      return {
        ...DEFAULTS,
        attempts: 5,
        backoff: { type: 'exponential', delay: 60_000 },
        deduplication: { id: `ade-sync-${item.data.tenantId}` },
      };
    case JobName.AdeSyncAll:
      return { ...DEFAULTS, attempts: 1, deduplication: { id: 'ade-sync-all' } };
  }
}

/** Repeating jobs the worker registers at start (BullMQ job schedulers, idempotent upserts). */
export const SCHEDULES: Array<{ id: string; every: number; item: JobItem }> = [
  {
    id: 'audit-chain-verify-hourly',
    every: 60 * 60 * 1000,
    item: { name: JobName.AuditChainVerify, data: {} },
  },
  {
    id: 'push-certificate-expiry-daily',
    every: 24 * 60 * 60 * 1000,
    item: { name: JobName.PushCertificateExpiryCheck, data: {} },
  },
  {
    // nanodep and micromdm sync every 30 minutes; new phones rarely wait longer than that in a box.
    id: 'ade-sync-every-30-minutes',
    every: 30 * 60 * 1000,
    item: { name: JobName.AdeSyncAll, data: {} },
  },
];
