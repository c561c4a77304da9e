import type { JobsOptions } from 'bullmq';

/**
 * Queue names are stored in Redis keys: DO NOT CHANGE A VALUE, or jobs already queued under the
 * old name stall. Add new names instead.
 */
export enum QueueName {
  Maintenance = 'maintenance',
  /** Android Management API work (devices.list sync). */
  Android = 'android',
  /** Rollout fan-out (creating deliveries and commands) and the reconciler. */
  Rollouts = 'rollouts',
  /** APNs pushes, one job per slice of a rollout's deliveries. */
  ApplePushes = 'apple-pushes',
  /** Compliance re-evaluation (after a rollout, periodic sweep), inventory refresh, snapshots. */
  Compliance = 'compliance',
  /** Webhook dispatch (events to deliveries) and delivery attempts. */
  Webhooks = 'webhooks',
  /** Apple Business Manager sync and assignment; consumed one job at a time. */
  AppleAde = 'apple-ade',
}

export enum JobName {
  /** Re-verifies every tenant's audit hash chain and reports the first broken link. */
  AuditChainVerify = 'audit.chain-verify',
  /** Warns about APNs push certificates that expire within 30 days (or have expired). */
  PushCertificateExpiryCheck = 'apple.push-certificate-expiry-check',
  /** devices.list sync of every bound Android enterprise: catches notifications Pub/Sub never delivered. */
  AndroidSyncAll = 'android.devices-sync-all',
  /** The Android leg of a rollout: patches each targeted group's AMAPI policy once for the version. */
  AndroidRolloutLeg = 'android.rollout-leg',
  /** Creates a rollout's deliveries and InstallProfile commands (set-based), then its push jobs. */
  RolloutStart = 'rollout.start',
  /** Wakes the phones of one slice of a rollout's deliveries whose push is due. */
  ApplePushSlice = 'apple.push-slice',
  /** Finds schedules and deliveries that should be moving and are not, and enqueues them again. */
  RolloutReconcile = 'rollout.reconcile',
  /** Re-evaluates every device of a tenant in PostgreSQL (a new policy version took effect). */
  ComplianceEvaluateTenant = 'compliance.evaluate-tenant',
  /** Devices turning stale (or back), the next share of inventory refreshes, today's snapshot. */
  ComplianceSweep = 'compliance.sweep',
  /** Turns new compliance events into webhook deliveries, and re-enqueues lost ones. */
  WebhookDispatch = 'webhook.dispatch',
  /** One attempt (with BullMQ retries) to POST one event to one webhook. */
  WebhookDeliver = 'webhook.deliver',
  /** Fetches or syncs one tenant's ABM devices, then assigns the ADE profile to those due. */
  AdeSync = 'apple.ade-sync',
  /** Enqueues an AdeSync for every tenant with an ABM server token. */
  AdeSyncAll = 'apple.ade-sync-all',
}

/** Every job with its payload. Payloads carry ids only: handlers re-read the database. */
export type JobItem =
  | { name: JobName.AuditChainVerify; data: { tenantId?: string } }
  | { name: JobName.PushCertificateExpiryCheck; data: Record<string, never> }
  | { name: JobName.AndroidSyncAll; data: Record<string, never> }
  | { name: JobName.AndroidRolloutLeg; data: { rolloutId: string } }
  | { name: JobName.RolloutStart; data: { rolloutId: string } }
  /** `round` tells apart the pushes of one slice over time (first push, silent-phone re-pushes). */
  | { name: JobName.ApplePushSlice; data: { rolloutId: string; slice: number; round: number } }
  | { name: JobName.RolloutReconcile; data: Record<string, never> }
  | { name: JobName.ComplianceEvaluateTenant; data: { tenantId: string } }
  | { name: JobName.ComplianceSweep; data: Record<string, never> }
  | { name: JobName.WebhookDispatch; data: Record<string, never> }
  | { name: JobName.WebhookDeliver; data: { deliveryId: string } }
  | { name: JobName.AdeSync; data: { tenantId: string } }
  | { name: JobName.AdeSyncAll; data: Record<string, never> };

export type JobOf<N extends JobName> = Extract<JobItem, { name: N }>['data'];

export const JOB_QUEUE: Record<JobName, QueueName> = {
  [JobName.AuditChainVerify]: QueueName.Maintenance,
  [JobName.PushCertificateExpiryCheck]: QueueName.Maintenance,
  [JobName.AndroidSyncAll]: QueueName.Android,
  [JobName.AndroidRolloutLeg]: QueueName.Android,
  [JobName.RolloutStart]: QueueName.Rollouts,
  [JobName.RolloutReconcile]: QueueName.Rollouts,
  [JobName.ApplePushSlice]: QueueName.ApplePushes,
  [JobName.ComplianceEvaluateTenant]: QueueName.Compliance,
  [JobName.ComplianceSweep]: QueueName.Compliance,
  [JobName.WebhookDispatch]: QueueName.Webhooks,
  [JobName.WebhookDeliver]: QueueName.Webhooks,
  [JobName.AdeSync]: QueueName.AppleAde,
  [JobName.AdeSyncAll]: QueueName.AppleAde,
};

const DEFAULTS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: 1000,
  // Jobs that exhaust their attempts stay in Redis with their reason (GET /v1/jobs/failed) until
  // this many newer failures push them out.
  removeOnFail: 5000,
};

/** Attempts per webhook delivery before it is marked failed in the delivery log. */
export const WEBHOOK_ATTEMPTS = 8;

/** The first slice push of a rollout; the reconciler's later rounds are numbered from 1. */
export const FIRST_PUSH_ROUND = 0;

/** Deterministic job ids: enqueueing the same logical job twice adds it once. */
export function jobId(item: JobItem): string | undefined {
  switch (item.name) {
    case JobName.RolloutStart:
      return `rollout-start.${item.data.rolloutId}`;
    case JobName.ApplePushSlice:
      return `push.${item.data.rolloutId}.${item.data.slice}.${item.data.round}`;
    case JobName.WebhookDeliver:
      return `webhook.${item.data.deliveryId}`;
    case JobName.AndroidRolloutLeg:
      return `android-leg.${item.data.rolloutId}`;
    default:
      return undefined;
  }
}

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
    case JobName.AndroidSyncAll:
      // The next scheduled run is the retry: a failed sync is not worth piling up behind.
      return { ...DEFAULTS, attempts: 1, deduplication: { id: 'android-devices-sync-all' } };
    case JobName.AndroidRolloutLeg:
      // AMAPI unavailable beyond the client's own retries: tried again for about 8 minutes, then
      // the 15-minute Android schedule publishes what is still pending.
      return { ...DEFAULTS, jobId: jobId(item), attempts: 8, backoff: { type: 'exponential', delay: 2_000 } };
    case JobName.RolloutStart:
      // A database that is briefly away must not lose the start: retried for about 10 minutes, and
      // the reconciler enqueues it again while the rollout row says "scheduled".
      return {
        ...DEFAULTS,
        jobId: jobId(item),
        attempts: 10,
        backoff: { type: 'exponential', delay: 1_000 },
      };
    case JobName.ApplePushSlice:
      // APNs 429/5xx/timeouts: the job fails once the slice is done and is retried for the pushes
      // that must be retried (1 s, 2 s, 4 s, ... about 4 minutes in all).
      return {
        ...DEFAULTS,
        jobId: jobId(item),
        attempts: 8,
        backoff: { type: 'exponential', delay: 1_000 },
        removeOnFail: 10_000,
      };
    case JobName.RolloutReconcile:
      return { ...DEFAULTS, attempts: 1, deduplication: { id: 'rollout-reconcile' } };
    case JobName.ComplianceEvaluateTenant:
      // While one evaluation of the tenant waits, asking again adds nothing: it will see the change.
      return { ...DEFAULTS, deduplication: { id: `compliance-evaluate-${item.data.tenantId}` } };
    case JobName.ComplianceSweep:
      return { ...DEFAULTS, attempts: 1, deduplication: { id: 'compliance-sweep' } };
    case JobName.WebhookDispatch:
      return { ...DEFAULTS, attempts: 1, deduplication: { id: 'webhook-dispatch' } };
    case JobName.WebhookDeliver:
      // A receiver that is down gets the event again after 10 s, 20 s, 40 s, ... (about 21 minutes
      // over 8 attempts); each attempt is written to the delivery log.
      return {
        ...DEFAULTS,
        jobId: jobId(item),
        attempts: WEBHOOK_ATTEMPTS,
        backoff: { type: 'exponential', delay: 10_000 },
      };
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
    id: 'android-devices-sync-15min',
    every: 15 * 60 * 1000,
    item: { name: JobName.AndroidSyncAll, data: {} },
  },
  {
    // nanodep and micromdm sync every 30 minutes; new phones rarely wait longer than that in a box.
    id: 'ade-sync-every-30-minutes',
    every: 30 * 60 * 1000,
    item: { name: JobName.AdeSyncAll, data: {} },
  },
];

/** The reconciler's schedule; its period comes from configuration (ROLLOUT_RECONCILE_SECONDS). */
export function reconcileSchedule(everyMs: number): { id: string; every: number; item: JobItem } {
  return { id: 'rollout-reconcile', every: everyMs, item: { name: JobName.RolloutReconcile, data: {} } };
}

/** The compliance sweep and the webhook dispatch; their periods come from configuration. */
export function complianceSchedules(
  sweepMs: number,
  dispatchMs: number,
): Array<{ id: string; every: number; item: JobItem }> {
  return [
    { id: 'compliance-sweep', every: sweepMs, item: { name: JobName.ComplianceSweep, data: {} } },
    { id: 'webhook-dispatch', every: dispatchMs, item: { name: JobName.WebhookDispatch, data: {} } },
  ];
}
