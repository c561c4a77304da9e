import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { repushDelaySeconds } from './repush-delay.js';

/** A delivery whose push is due, with what APNs needs to wake its phone. */
export interface DuePush {
  deliveryId: string;
  deviceId: string;
  tenantId: string;
  pushToken: string | null;
  pushMagic: string | null;
  pushTopic: string | null;
  tokenInvalid: boolean;
  pushCount: number;
}

export type PushOutcome = 'accepted' | 'unregistered' | 'retry' | 'rejected' | 'certificate';

export interface PushVerdict {
  deliveryId: string;
  deviceId: string;
  /** Pushes this delivery had before this one. */
  pushCount: number;
  outcome: PushOutcome;
  /** HTTP status; 0 when APNs gave no answer. */
  status: number;
  reason?: string;
}

/** How long deliveries wait when the tenant's push certificate cannot push (missing, expired, refused). */
export const CERTIFICATE_HOLD_SECONDS = 15 * 60;

/**
 * The database side of the push leg: which deliveries of a slice are due, and what each push
 * changed. Outcomes are written with one UPDATE per kind of outcome (arrays of ids), never one
 * statement per device.
 */
@Injectable()
export class DeliveryPushesService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The slice's iPhone deliveries due for a push, if the rollout is running. */
  async due(rolloutId: string, slice: number): Promise<DuePush[]> {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT d.id, d.device_id, d.tenant_id, d.push_count, v.push_token, v.push_magic, v.push_topic,
              v.push_token_invalid_at IS NOT NULL AS token_invalid
         FROM deliveries d
         JOIN rollouts r ON r.id = d.rollout_id AND r.state = 'running'
         JOIN devices v ON v.id = d.device_id
        WHERE d.rollout_id = $1 AND d.slice = $2 AND d.platform = 'ios'
          AND d.state IN ('pending', 'pushed', 'acknowledged') AND d.next_push_at <= now()`,
      [rolloutId, slice],
    );
    return rows.map((r) => ({
      deliveryId: String(r.id),
      deviceId: String(r.device_id),
      tenantId: String(r.tenant_id),
      pushToken: (r.push_token as string | null) ?? null,
      pushMagic: (r.push_magic as string | null) ?? null,
      pushTopic: (r.push_topic as string | null) ?? null,
      tokenInvalid: Boolean(r.token_invalid),
      pushCount: Number(r.push_count),
    }));
  }

  /**
   * The push leg cannot run for these deliveries (no certificate, expired, refused): they keep their
   * state, say why, and are looked at again later, without a retry storm.
   */
  async hold(deliveryIds: string[], reason: string, seconds = CERTIFICATE_HOLD_SECONDS): Promise<void> {
    if (deliveryIds.length === 0) return;
    await this.dataSource.query(
      `UPDATE deliveries SET reason = $2, next_push_at = now() + make_interval(secs => $3), updated_at = now()
        WHERE id = ANY($1::uuid[]) AND state IN ('pending', 'pushed', 'acknowledged')`,
      [deliveryIds, reason, seconds],
    );
  }

  /** Writes what APNs answered, grouped by outcome. */
  async record(verdicts: PushVerdict[]): Promise<void> {
    const by = (outcome: PushOutcome) => verdicts.filter((v) => v.outcome === outcome);
    const accepted = by('accepted');
    if (accepted.length) {
      // The next push is due after a backoff that grows with each push the phone left unanswered.
      await this.dataSource.query(
        `UPDATE deliveries d
            SET state = CASE WHEN d.state = 'pending' THEN 'pushed' ELSE d.state END,
                reason = NULL, push_count = d.push_count + 1, last_pushed_at = now(), updated_at = now(),
                next_push_at = now() + make_interval(secs => u.delay)
           FROM unnest(string_to_array($1, ',')::uuid[], string_to_array($2, ',')::int[]) AS u(id, delay)
          WHERE d.id = u.id AND d.state IN ('pending', 'pushed', 'acknowledged')`,
        // Joined here: the driver would quote and escape each of a thousand array elements.
        [
          accepted.map((v) => v.deliveryId).join(','),
          accepted
            .map((v) => repushDelaySeconds(this.config.ROLLOUT_REPUSH_SECONDS, v.pushCount + 1))
            .join(','),
        ],
      );
    }
    const unregistered = by('unregistered');
    if (unregistered.length) {
      await this.dataSource.query(
        `UPDATE devices SET push_token_invalid_at = now() WHERE id = ANY($1::uuid[])`,
        [unregistered.map((v) => v.deviceId)],
      );
    }
    // Not retried: the token is gone (410) or the push cannot succeed as sent (400, 403 per device).
    const final = [...unregistered, ...by('rejected')];
    if (final.length) {
      await this.dataSource.query(
        `UPDATE deliveries d
            SET state = 'failed', reason = u.reason, next_push_at = NULL, push_count = push_count + 1,
                last_pushed_at = now(), updated_at = now()
           FROM unnest($1::uuid[], $2::text[]) AS u(id, reason)
          WHERE d.id = u.id AND d.state IN ('pending', 'pushed')`,
        [final.map((v) => v.deliveryId), final.map(describeRefusal)],
      );
    }
    const retry = by('retry');
    if (retry.length) {
      // Still due: the job's BullMQ retry (with backoff) pushes them again.
      await this.dataSource.query(
        `UPDATE deliveries d SET reason = u.reason, updated_at = now()
           FROM unnest($1::uuid[], $2::text[]) AS u(id, reason) WHERE d.id = u.id`,
        [retry.map((v) => v.deliveryId), retry.map((v) => `${describeRefusal(v)} (retrying)`)],
      );
    }
    const certificate = by('certificate');
    if (certificate.length) {
      await this.hold(
        certificate.map((v) => v.deliveryId),
        `APNs refused the push certificate: ${describeRefusal(certificate[0])}`,
      );
    }
  }

  /** Phones that cannot be pushed at all (no token yet, token unregistered): say so and stop asking. */
  async markUnpushable(deliveryIds: string[], reason: string): Promise<void> {
    if (deliveryIds.length === 0) return;
    await this.dataSource.query(
      `UPDATE deliveries SET state = CASE WHEN state = 'acknowledged' THEN state ELSE 'failed' END,
              reason = $2, next_push_at = NULL, updated_at = now()
        WHERE id = ANY($1::uuid[]) AND state IN ('pending', 'pushed', 'acknowledged')`,
      [deliveryIds, reason],
    );
  }
}

function describeRefusal(verdict: PushVerdict): string {
  const status = verdict.status ? `APNs ${verdict.status}` : 'APNs gave no answer';
  return verdict.reason ? `${status} ${verdict.reason}` : status;
}
