import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '#libs/config';

/** An iPhone whose inventory was just asked for, with what APNs needs to wake it. */
export interface RefreshedDevice {
  deviceId: string;
  pushToken: string | null;
  pushMagic: string | null;
  tokenInvalid: boolean;
}

/**
 * Keeps iPhones' inventories within the freshness window without asking the whole fleet at once:
 * each sweep asks the share of the fleet that makes one full round per window (the oldest
 * inventories first), queueing ProfileList and InstalledApplicationList set-based. A phone that
 * already has an inventory command open is not asked again.
 */
@Injectable()
export class InventoryRefreshService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** How many iPhones one sweep asks: the fleet spread over the window, at least one. */
  static batchSize(enrolledIphones: number, sweepSeconds: number, windowSeconds: number): number {
    if (enrolledIphones === 0) return 0;
    return Math.max(1, Math.ceil((enrolledIphones * sweepSeconds) / windowSeconds));
  }

  async queueDue(tenantId: string, now = new Date()): Promise<RefreshedDevice[]> {
    return this.dataSource.transaction(async (manager) => {
      const [{ n }]: Array<{ n: number }> = await manager.query(
        `SELECT count(*)::int AS n FROM devices WHERE tenant_id = $1 AND platform = 'ios' AND status = 'enrolled'`,
        [tenantId],
      );
      const batch = InventoryRefreshService.batchSize(
        n,
        this.config.COMPLIANCE_SWEEP_SECONDS,
        this.config.COMPLIANCE_FRESHNESS_SECONDS,
      );
      if (batch === 0) return [];
      const rows: Array<Record<string, unknown>> = await manager.query(
        `WITH due AS (
           SELECT d.id, d.push_token, d.push_magic, d.push_token_invalid_at
             FROM devices d LEFT JOIN device_compliance c ON c.device_id = d.id
            WHERE d.tenant_id = $1 AND d.platform = 'ios' AND d.status = 'enrolled'
              AND (c.apps_reported_at IS NULL OR c.apps_reported_at < $2::timestamptz - make_interval(secs => $3))
              AND NOT EXISTS (SELECT 1 FROM mdm_commands m
                               WHERE m.device_id = d.id AND m.status IN ('queued', 'sent')
                                 AND m.request_type IN ('ProfileList', 'InstalledApplicationList'))
            ORDER BY c.apps_reported_at ASC NULLS FIRST, d.id
            LIMIT $4
            FOR UPDATE OF d SKIP LOCKED
         ), queued AS (
           INSERT INTO mdm_commands (id, tenant_id, device_id, request_type, params, status, queued_at, queued_by)
           SELECT gen_random_uuid(), $1, due.id, k.request_type, '{}'::jsonb, 'queued',
                  $2::timestamptz + k.offset_ms * interval '1 millisecond', 'system:compliance-refresh'
             FROM due CROSS JOIN (VALUES ('ProfileList', 0), ('InstalledApplicationList', 1)) AS k(request_type, offset_ms)
         )
         SELECT id, push_token, push_magic, push_token_invalid_at IS NOT NULL AS token_invalid FROM due`,
        [tenantId, now, this.config.COMPLIANCE_FRESHNESS_SECONDS, batch],
      );
      return rows.map((r) => ({
        deviceId: String(r.id),
        pushToken: (r.push_token as string | null) ?? null,
        pushMagic: (r.push_magic as string | null) ?? null,
        tokenInvalid: Boolean(r.token_invalid),
      }));
    });
  }

  /** APNs answered 410 for these phones: no push until they send a new token (as the rollout leg does). */
  async markTokensUnregistered(deviceIds: string[]): Promise<void> {
    if (deviceIds.length === 0) return;
    await this.dataSource.query(
      'UPDATE devices SET push_token_invalid_at = now() WHERE id = ANY($1::uuid[])',
      [deviceIds],
    );
  }
}
