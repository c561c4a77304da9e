import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CatalogService } from '#libs/catalog';
import { COMPLIANCE_STATUSES, type ComplianceStatus } from '#libs/persistence';
import { NotFoundDomainException } from '#libs/platform';
import { ReportScopeResolver, type ReportFilter } from './report-scope.js';
import { deviceFilterSql, type DeviceFilter } from './device-filter.js';

export type StatusCounts = Record<ComplianceStatus, number>;

export interface ComplianceSummary {
  group: string | null;
  policy: string | null;
  total: number;
  counts: StatusCounts;
}

export interface AppCount {
  /** The catalog app's slug, or the identifier itself when the catalog does not know it. */
  app: string;
  name: string | null;
  identifiers: string[];
  devices: number;
  groups: number;
}

export interface DeviceListQuery extends ReportFilter, DeviceFilter {
  limit: number;
  offset: number;
}

export interface TrendDay {
  day: string;
  /** null for a day without a snapshot (the worker was not running). */
  counts: StatusCounts | null;
}

const emptyCounts = (): StatusCounts =>
  Object.fromEntries(COMPLIANCE_STATUSES.map((s) => [s, 0])) as StatusCounts;

/** The reports officers read: counts, devices with their reasons, per-app counts, trend, history. */
@Injectable()
export class ComplianceReportsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly scope: ReportScopeResolver,
    private readonly catalog: CatalogService,
  ) {}

  /**
   * Devices per status, from the counts the database keeps per group and status (triggers on
   * device_compliance): a few rows to add up, not a scan of the fleet.
   */
  async summary(tenantId: string, filter: ReportFilter): Promise<ComplianceSummary> {
    const scope = await this.scope.resolve(tenantId, filter);
    const rows: Array<{ status: ComplianceStatus; n: number }> = await this.dataSource.query(
      `SELECT status, sum(devices)::int AS n FROM compliance_status_counts
        WHERE tenant_id = $1 AND ($2::uuid[] IS NULL OR group_id = ANY($2::uuid[]))
        GROUP BY status HAVING sum(devices) <> 0`,
      [tenantId, scope.groupIds],
    );
    const counts = emptyCounts();
    for (const row of rows) counts[row.status] = row.n;
    return {
      group: scope.group,
      policy: scope.policy,
      total: rows.reduce((sum, r) => sum + r.n, 0),
      counts,
    };
  }

  /** Banned apps installed, per catalog app ("WhatsApp: 312 devices in 4 groups"), most widespread first. */
  async apps(tenantId: string, filter: ReportFilter): Promise<AppCount[]> {
    const scope = await this.scope.resolve(tenantId, filter);
    // One pass over the tenant's rows (the dashboard asks this on every visit): identifiers the
    // catalog knows are counted under their app, bundle IDs first as the catalog resolves them;
    // others under themselves.
    const appOf = new Map<string, string>();
    for (const app of this.catalog.catalog.apps) {
      for (const id of app.ios) if (!appOf.has(id.bundleId)) appOf.set(id.bundleId, app.slug);
    }
    for (const app of this.catalog.catalog.apps) {
      for (const id of app.android) if (!appOf.has(id.packageName)) appOf.set(id.packageName, app.slug);
    }
    const rows: Array<{ app: string; identifiers: string[]; devices: number; groups: number }> =
      await this.dataSource.query(
        `SELECT coalesce(m.app, b.identifier) AS app, array_agg(DISTINCT b.identifier) AS identifiers,
                count(DISTINCT c.device_id)::int AS devices, count(DISTINCT c.group_id)::int AS groups
           FROM device_compliance c
           CROSS JOIN LATERAL unnest(c.banned_apps) AS b(identifier)
           LEFT JOIN unnest($3::text[], $4::text[]) AS m(identifier, app) ON m.identifier = b.identifier
          WHERE c.tenant_id = $1 AND ($2::uuid[] IS NULL OR c.group_id = ANY($2::uuid[]))
            AND c.banned_apps <> '{}'
          GROUP BY 1 ORDER BY devices DESC, 1`,
        [tenantId, scope.groupIds, [...appOf.keys()], [...appOf.values()]],
      );
    return rows.map((r) => ({
      app: r.app,
      name: this.catalog.catalog.app(r.app)?.name ?? null,
      identifiers: r.identifiers,
      devices: r.devices,
      groups: r.groups,
    }));
  }

  /** Devices with their status and reasons; the longest non-compliant first. */
  async devices(tenantId: string, query: DeviceListQuery, now = new Date()) {
    const scope = await this.scope.resolve(tenantId, query);
    const where = deviceFilterSql(query, 5);
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT d.udid, d.device_name, d.serial_number, c.platform, g.slug AS group_slug, c.status,
              c.reasons, c.warnings, c.status_since, c.non_compliant_since, c.evaluated_at, d.last_seen_at,
              d.is_supervised
         FROM device_compliance c
         JOIN devices d ON d.id = c.device_id
         JOIN device_groups g ON g.id = c.group_id
        WHERE c.tenant_id = $1 AND ($2::uuid[] IS NULL OR c.group_id = ANY($2::uuid[]))
          ${where.sql}
        ORDER BY c.non_compliant_since ASC NULLS LAST, c.status_since ASC, c.device_id
        LIMIT $3 OFFSET $4`,
      [tenantId, scope.groupIds, query.limit, query.offset, ...where.params],
    );
    return rows.map((r) => {
      const since = r.non_compliant_since ? new Date(r.non_compliant_since as string) : null;
      return {
        udid: r.udid,
        deviceName: r.device_name,
        serialNumber: r.serial_number,
        platform: r.platform,
        group: r.group_slug,
        supervised: r.is_supervised,
        status: r.status,
        reasons: r.reasons,
        warnings: r.warnings,
        statusSince: r.status_since,
        nonCompliantSince: since,
        nonCompliantForSeconds: since
          ? Math.max(0, Math.floor((now.getTime() - since.getTime()) / 1000))
          : null,
        lastSeenAt: r.last_seen_at,
        evaluatedAt: r.evaluated_at,
      };
    });
  }

  /** One device's status changes, newest first. */
  async history(tenantId: string, udid: string) {
    const device: Array<{ id: string }> = await this.dataSource.query(
      'SELECT id FROM devices WHERE tenant_id = $1 AND udid = $2',
      [tenantId, udid],
    );
    if (device.length === 0) throw new NotFoundDomainException('device', udid);
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT from_status, to_status, reasons, changed_at FROM compliance_history
        WHERE tenant_id = $1 AND device_id = $2 ORDER BY changed_at DESC, id DESC LIMIT 500`,
      [tenantId, device[0].id],
    );
    return rows.map((r) => ({ from: r.from_status, to: r.to_status, reasons: r.reasons, at: r.changed_at }));
  }

  /** Counts per status for each of the last `days` days (today included), from the daily snapshots. */
  async trend(tenantId: string, days: number): Promise<TrendDay[]> {
    const rows: Array<{ day: string; status: ComplianceStatus | null; devices: number | null }> =
      await this.dataSource.query(
        `SELECT to_char(d.day, 'YYYY-MM-DD') AS day, s.status, s.devices
           FROM generate_series(current_date - ($2::int - 1), current_date, interval '1 day') AS d(day)
           LEFT JOIN compliance_snapshots s ON s.tenant_id = $1 AND s.day = d.day::date
          ORDER BY d.day`,
        [tenantId, days],
      );
    const byDay = new Map<string, StatusCounts | null>();
    for (const row of rows) {
      if (!byDay.has(row.day)) byDay.set(row.day, row.status ? emptyCounts() : null);
      if (row.status) byDay.get(row.day)![row.status] = row.devices ?? 0;
    }
    return [...byDay].map(([day, counts]) => ({ day, counts }));
  }
}
