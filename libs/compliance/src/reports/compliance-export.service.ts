import { Injectable, Logger } from '@nestjs/common';
import { pipeline, Transform, type Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import QueryStream from 'pg-query-stream';
import type { PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { deviceFilterSql, type DeviceFilter } from './device-filter.js';
import { ReportScopeResolver, type ReportFilter } from './report-scope.js';

export const EXPORT_COLUMNS = [
  'udid',
  'serial_number',
  'device_name',
  'platform',
  'group',
  'supervised',
  'status',
  'status_since',
  'non_compliant_since',
  'last_seen_at',
  'reason',
  'app',
  'app_name',
  'policy',
  'version',
  'detail',
] as const;

/**
 * Rows fetched from the cursor per round trip: memory stays flat whatever the fleet size. Small on
 * purpose: a batch of 1,000 outlived two young-generation collections while it was turned into CSV,
 * so every row went to the old generation as garbage, and the api grew to 330 MB before V8 collected
 * it (1,000,000 devices); with 200 rows a batch dies young and the api stays at its startup size, in
 * the same time.
 */
const CURSOR_BATCH = 200;

/** One row per device and reason (a device without reasons gets one row with empty reason columns). */
const EXPORT_SQL = `
  SELECT d.udid, d.serial_number, d.device_name, c.platform, g.slug AS group_slug, d.is_supervised,
         c.status, c.status_since, c.non_compliant_since, d.last_seen_at,
         r.value->>'code' AS reason, r.value->>'app' AS app, r.value->>'name' AS app_name,
         r.value->>'policy' AS policy, r.value->>'version' AS version, r.value->>'detail' AS detail
    FROM device_compliance c
    JOIN devices d ON d.id = c.device_id
    JOIN device_groups g ON g.id = c.group_id
    LEFT JOIN LATERAL jsonb_array_elements(c.reasons) AS r(value) ON true
   WHERE c.tenant_id = $1 AND ($2::uuid[] IS NULL OR c.group_id = ANY($2::uuid[]))`;

/**
 * The compliance CSV, streamed: a PostgreSQL cursor (pg-query-stream) feeds csv-stringify, and
 * backpressure from the HTTP response pauses the cursor, so the whole set is never in memory.
 */
@Injectable()
export class ComplianceExportService {
  private readonly logger = new Logger(ComplianceExportService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly scope: ReportScopeResolver,
  ) {}

  async stream(tenantId: string, filter: ReportFilter & DeviceFilter): Promise<Readable> {
    const scope = await this.scope.resolve(tenantId, filter);
    const where = deviceFilterSql(filter, 3);
    const runner = this.dataSource.createQueryRunner('slave');
    const client = (await runner.connect()) as PoolClient;
    // One snapshot for the whole file; and a cursor planned for all its rows, not the first tenth
    // (PostgreSQL's cursor_tuple_fraction default favours nested loops that are slow over a fleet).
    await client.query('BEGIN READ ONLY');
    await client.query('SET LOCAL cursor_tuple_fraction = 1.0');
    let released = false;
    const release = (failed: boolean) => {
      if (released) return;
      released = true;
      client
        .query(failed ? 'ROLLBACK' : 'COMMIT')
        .catch(() => undefined)
        .finally(() => void runner.release());
    };
    const rows = client.query(
      new QueryStream(`${EXPORT_SQL} ${where.sql}`, [tenantId, scope.groupIds, ...where.params], {
        batchSize: CURSOR_BATCH,
      }),
    );
    const toRecord = new Transform({
      objectMode: true,
      transform(row: Record<string, unknown>, _encoding, done) {
        done(
          null,
          [
            row.udid,
            row.serial_number,
            row.device_name,
            row.platform,
            row.group_slug,
            row.is_supervised,
            row.status,
            row.status_since,
            row.non_compliant_since,
            row.last_seen_at,
            row.reason,
            row.app,
            row.app_name,
            row.policy,
            row.version,
            row.detail,
          ].map(cell),
        );
      },
    });
    const csv = stringify({ header: true, columns: [...EXPORT_COLUMNS], bom: true });
    // pipeline destroys every stage when one fails or the client goes away; the connection goes
    // back to the pool either way.
    return pipeline(rows, toRecord, csv, (error) => {
      release(Boolean(error));
      if (error && error.code !== 'ERR_STREAM_PREMATURE_CLOSE') {
        this.logger.warn({ tenantId, error: error.message }, 'compliance export stopped');
      }
    });
  }
}

/**
 * One CSV cell. Dates in ISO-8601; text that a spreadsheet would run as a formula (device names are
 * chosen by phone users) is prefixed with an apostrophe.
 */
function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  const text = String(value);
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}
