import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { ComplianceEvaluator } from '../evaluation/compliance-evaluator.service.js';

/** Devices re-evaluated per statement by the sweep. */
const SWEEP_CHUNK = 10_000;

/**
 * What time alone changes: devices crossing the freshness window either way, devices whose rollout
 * may have ended without a report (a push refused), devices enrolled before compliance existed.
 * Only those are re-evaluated, set-based.
 */
@Injectable()
export class ComplianceSweepService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly evaluator: ComplianceEvaluator,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async tenantIds(): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.dataSource.query('SELECT id FROM tenants ORDER BY id');
    return rows.map((r) => r.id);
  }

  /** Re-evaluates the tenant's devices whose status time or deliveries may have changed; returns how many changed. */
  async sweep(tenantId: string, now = new Date()): Promise<number> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT c.device_id AS id
         FROM device_compliance c JOIN devices d ON d.id = c.device_id
        WHERE c.tenant_id = $1 AND c.apps_reported_at IS NOT NULL
          AND ((coalesce(CASE WHEN d.platform = 'android' THEN d.last_status_report_at ELSE d.last_seen_at END,
                         '-infinity') < $2::timestamptz - make_interval(secs => $3))
               <> (c.status = 'stale'))
       UNION
       SELECT device_id FROM device_compliance WHERE tenant_id = $1 AND status = 'pending'
       UNION
       SELECT d.id FROM devices d
        WHERE d.tenant_id = $1 AND d.status = 'enrolled'
          AND NOT EXISTS (SELECT 1 FROM device_compliance c WHERE c.device_id = d.id)`,
      [tenantId, now, this.config.COMPLIANCE_FRESHNESS_SECONDS],
    );
    let changed = 0;
    for (let i = 0; i < rows.length; i += SWEEP_CHUNK) {
      const ids = rows.slice(i, i + SWEEP_CHUNK).map((r) => r.id);
      changed += (await this.evaluator.evaluateInDatabase(tenantId, ids, now)).length;
    }
    await this.foldStatusCounts(tenantId);
    return changed;
  }

  /**
   * The summary's counts are delta rows appended by triggers (one per key a statement moved):
   * folded here into one row per group and status. One statement, so concurrent deltas are kept
   * and a concurrent fold only sums the rows it deleted itself.
   */
  async foldStatusCounts(tenantId: string): Promise<void> {
    await this.dataSource.query(
      `WITH folded AS (
         DELETE FROM compliance_status_counts WHERE tenant_id = $1 RETURNING group_id, status, devices
       )
       INSERT INTO compliance_status_counts (tenant_id, group_id, status, devices)
       SELECT $1, group_id, status, sum(devices) FROM folded GROUP BY group_id, status HAVING sum(devices) <> 0`,
      [tenantId],
    );
  }

  /** The tenant a rollout belongs to (its start changes what applies to every device of its groups). */
  async tenantOfRollout(rolloutId: string): Promise<string | null> {
    const rows: Array<{ tenant_id: string }> = await this.dataSource.query(
      'SELECT tenant_id FROM rollouts WHERE id = $1',
      [rolloutId],
    );
    return rows[0]?.tenant_id ?? null;
  }
}
