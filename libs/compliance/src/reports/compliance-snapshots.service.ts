import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Today's counts per status, written (and rewritten as the day goes) for the trend. */
@Injectable()
export class ComplianceSnapshotsService {
  constructor(private readonly dataSource: DataSource) {}

  /** Idempotent, and safe when two workers take it at once (upsert, then drop statuses gone since). */
  async takeToday(tenantId: string): Promise<void> {
    await this.dataSource.query(
      `WITH counts AS (
         SELECT status, count(*)::int AS n FROM device_compliance WHERE tenant_id = $1 GROUP BY status
       ), upserted AS (
         INSERT INTO compliance_snapshots (tenant_id, day, status, devices, taken_at)
         SELECT $1, current_date, status, n, now() FROM counts
         ON CONFLICT (tenant_id, day, status) DO UPDATE SET devices = EXCLUDED.devices, taken_at = now()
       )
       DELETE FROM compliance_snapshots s
        WHERE s.tenant_id = $1 AND s.day = current_date
          AND NOT EXISTS (SELECT 1 FROM counts c WHERE c.status = s.status)`,
      [tenantId],
    );
  }
}
