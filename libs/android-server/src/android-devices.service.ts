import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { DeviceReportError, toDeviceReport, type AmapiDevice, type AndroidDeviceReport } from '#libs/android';
import { ComplianceEvaluator, InventoryFactsRecorder } from '#libs/compliance';
import type { AndroidEnterpriseEntity } from '#libs/persistence';
import { DomainException } from '#libs/platform';
import { amapiFailure } from './amapi-failure.js';
import { AndroidEnterpriseService } from './android-enterprise.service.js';
import { AndroidRolloutLegService } from './android-rollout-leg.service.js';

/**
 * Devices written per statement during a sync (3 pages of devices.list). Each batch is also judged
 * for compliance in one statement (tens of milliseconds to plan), which argues for large batches;
 * but a batch lives through its transaction, long enough to reach V8's old generation, and the
 * sync's peak RSS grew with it (bench:android-sync, 100,000 phones: 280 to 302 MB with 300,
 * 311 to 327 MB with 1,000, for 8,600 to 9,000 against 9,800 devices/s).
 */
const SYNC_BATCH = 300;
/** Batches written at once during a sync (each on its own pooled connection). */
const SYNC_WRITERS = 2;

/** How a reported device finds its group: its enrollment (token data or token name), else its policy. */
interface GroupIndex {
  byEnrollmentId: Map<string, { groupId: string; enrollmentId: string }>;
  byTokenName: Map<string, { groupId: string; enrollmentId: string }>;
  byPolicyName: Map<string, string>;
}

export interface ApplyResult {
  /** Rows written (new or newer reports). */
  written: number;
  /** Devices whose report was older than what is stored (redelivered or out of order). */
  stale: number;
  /** Devices no Rempart enrollment or group policy explains (enrolled outside Rempart). */
  unmatched: number;
  /** Device ids written. */
  deviceIds: string[];
  /** Rollout deliveries these reports verified (appliedPolicyVersion at or above the leg's version). */
  verified: number;
}

export interface SyncResult {
  devices: number;
  pages: number;
  written: number;
  unmatched: number;
  invalid: number;
  seconds: number;
}

/**
 * Android device rows from AMAPI Device resources (notifications and devices.list), in bulk: one
 * upsert and one inventory replacement per batch, never a statement per device.
 */
@Injectable()
export class AndroidDevicesService {
  private readonly logger = new Logger(AndroidDevicesService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly enterprises: AndroidEnterpriseService,
    private readonly rolloutLeg: AndroidRolloutLegService,
    private readonly inventoryFacts: InventoryFactsRecorder,
    private readonly compliance: ComplianceEvaluator,
  ) {}

  async groupIndex(tenantId: string, manager: EntityManager = this.dataSource.manager): Promise<GroupIndex> {
    const enrollments: Array<{ id: string; group_id: string; android_token_name: string | null }> =
      await manager.query(
        `SELECT id, group_id, android_token_name FROM enrollments WHERE tenant_id = $1 AND platform = 'android'`,
        [tenantId],
      );
    const policies: Array<{ policy_name: string; group_id: string }> = await manager.query(
      `SELECT policy_name, group_id FROM android_group_policies WHERE tenant_id = $1`,
      [tenantId],
    );
    const index: GroupIndex = { byEnrollmentId: new Map(), byTokenName: new Map(), byPolicyName: new Map() };
    for (const e of enrollments) {
      const entry = { groupId: e.group_id, enrollmentId: e.id };
      index.byEnrollmentId.set(e.id, entry);
      if (e.android_token_name) index.byTokenName.set(e.android_token_name, entry);
    }
    for (const p of policies) index.byPolicyName.set(p.policy_name, p.group_id);
    return index;
  }

  private locate(
    report: AndroidDeviceReport,
    index: GroupIndex,
  ): { groupId: string; enrollmentId: string | null } | null {
    const enrollment =
      (report.enrollmentId && index.byEnrollmentId.get(report.enrollmentId)) ||
      (report.enrollmentTokenName && index.byTokenName.get(report.enrollmentTokenName));
    if (enrollment) return enrollment;
    const groupId = report.policyName ? index.byPolicyName.get(report.policyName) : undefined;
    return groupId ? { groupId, enrollmentId: null } : null;
  }

  /**
   * Writes a batch of reports of one enterprise. A report older than the stored one changes
   * nothing, so redelivered and out-of-order notifications are harmless.
   */
  async applyReports(
    enterprise: Pick<AndroidEnterpriseEntity, 'tenantId' | 'enterpriseName'>,
    reports: AndroidDeviceReport[],
    index?: GroupIndex,
    options: { durable?: boolean } = {},
  ): Promise<ApplyResult & { usedUpTokens: string[] }> {
    const tenantId = enterprise.tenantId;
    return this.dataSource.transaction(async (manager) => {
      // A sync rewrites what AMAPI holds: if a crash loses its last commits, the next sync writes
      // them again. Not waiting for the WAL flush of each batch is what makes it fast.
      if (options.durable === false) await manager.query(`SET LOCAL synchronous_commit = off`);
      const groups = index ?? (await this.groupIndex(tenantId, manager));
      const rows: Array<AndroidDeviceReport & { groupId: string; enrollmentRef: string | null }> = [];
      let unmatched = 0;
      const seen = new Set<string>();
      for (const report of reports) {
        const located = this.locate(report, groups);
        if (!located || report.enterpriseName !== enterprise.enterpriseName || seen.has(report.deviceId)) {
          unmatched += located ? 0 : 1;
          continue;
        }
        seen.add(report.deviceId);
        rows.push({ ...report, groupId: located.groupId, enrollmentRef: located.enrollmentId });
      }
      if (rows.length === 0)
        return { written: 0, stale: 0, unmatched, verified: 0, deviceIds: [], usedUpTokens: [] };
      const now = new Date();
      const written: Array<{ id: string; udid: string; inserted: boolean; enrollment_id: string | null }> =
        await manager.query(
          `INSERT INTO devices AS d (tenant_id, platform, group_id, enrollment_id, udid, status, amapi_name,
                  serial_number, model, os_version, security_patch_level, policy_compliant,
                  non_compliance_details, applied_policy_version, last_status_report_at, enrolled_at,
                  unenrolled_at, last_seen_at)
           SELECT $1, 'android', r.group_id, r.enrollment_id, r.udid, r.status, r.amapi_name, r.serial_number,
                  r.model, r.os_version, r.security_patch_level, r.policy_compliant, r.non_compliance::jsonb,
                  r.applied_policy_version, r.reported_at, r.enrolled_at,
                  CASE WHEN r.status = 'unenrolled' THEN $2::timestamptz END, $2
             FROM unnest($3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                         $10::text[], $11::text[], $12::boolean[], $13::text[], $14::bigint[],
                         $15::timestamptz[], $16::timestamptz[])
                  AS r(group_id, enrollment_id, udid, status, amapi_name, serial_number, model, os_version,
                       security_patch_level, policy_compliant, non_compliance, applied_policy_version,
                       reported_at, enrolled_at)
           ON CONFLICT (tenant_id, udid) DO UPDATE SET
                  status = EXCLUDED.status, amapi_name = EXCLUDED.amapi_name,
                  serial_number = COALESCE(EXCLUDED.serial_number, d.serial_number),
                  model = COALESCE(EXCLUDED.model, d.model),
                  os_version = COALESCE(EXCLUDED.os_version, d.os_version),
                  security_patch_level = COALESCE(EXCLUDED.security_patch_level, d.security_patch_level),
                  policy_compliant = EXCLUDED.policy_compliant,
                  non_compliance_details = EXCLUDED.non_compliance_details,
                  applied_policy_version = COALESCE(EXCLUDED.applied_policy_version, d.applied_policy_version),
                  last_status_report_at = COALESCE(EXCLUDED.last_status_report_at, d.last_status_report_at),
                  enrolled_at = COALESCE(d.enrolled_at, EXCLUDED.enrolled_at),
                  unenrolled_at = CASE WHEN EXCLUDED.status = 'unenrolled' THEN COALESCE(d.unenrolled_at, $2) END,
                  last_seen_at = $2, updated_at = now()
            WHERE d.platform = 'android'
              AND (d.last_status_report_at IS NULL OR EXCLUDED.last_status_report_at IS NULL
                   OR EXCLUDED.last_status_report_at >= d.last_status_report_at)
           RETURNING id, udid, (xmax = 0) AS inserted, enrollment_id`,
          [
            tenantId,
            now,
            rows.map((r) => r.groupId),
            rows.map((r) => r.enrollmentRef),
            rows.map((r) => r.deviceId),
            rows.map((r) => r.status),
            rows.map((r) => r.name),
            rows.map((r) => r.serialNumber),
            rows.map((r) => r.model),
            rows.map((r) => r.osVersion),
            rows.map((r) => r.securityPatchLevel),
            rows.map((r) => r.policyCompliant),
            rows.map((r) => JSON.stringify(r.nonComplianceDetails)),
            rows.map((r) => r.appliedPolicyVersion),
            rows.map((r) => r.lastStatusReportAt),
            rows.map((r) => r.enrolledAt),
          ],
        );
      await this.replaceInventory(manager, tenantId, rows, written, now);
      const usedUpTokens = await this.countEnrollmentUses(manager, tenantId, written);
      const verified = await this.rolloutLeg.verifyReported(
        manager,
        written.map((w) => w.id),
      );
      // Compliance: the reported inventories, then the written phones judged set-based, in this
      // transaction (after the delivery verification, which the rules read).
      const appsReported = new Set(rows.filter((r) => r.appsReported).map((r) => r.deviceId));
      await this.inventoryFacts.reportedMany(
        manager,
        tenantId,
        written.filter((w) => appsReported.has(w.udid)).map((w) => w.id),
        'apps',
        now,
      );
      await this.compliance.evaluateInDatabase(
        tenantId,
        written.map((w) => w.id),
        now,
        manager,
      );
      return {
        verified,
        written: written.length,
        stale: rows.length - written.length,
        unmatched,
        deviceIds: written.map((w) => w.id),
        usedUpTokens,
      };
    });
  }

  /** The app inventory of each written device, replaced whole by its report's applicationReports. */
  private async replaceInventory(
    manager: EntityManager,
    tenantId: string,
    rows: Array<AndroidDeviceReport>,
    written: Array<{ id: string; udid: string; inserted: boolean }>,
    now: Date,
  ): Promise<void> {
    const byUdid = new Map(rows.map((r) => [r.deviceId, r]));
    // A device inserted just now has no inventory yet: only updated ones need theirs cleared.
    const deviceIds: string[] = [];
    const updatedIds: string[] = [];
    const app = {
      device: [] as string[],
      id: [] as string[],
      name: [] as (string | null)[],
      version: [] as (string | null)[],
      state: [] as (string | null)[],
    };
    for (const w of written) {
      const report = byUdid.get(w.udid);
      if (!report?.appsReported) continue;
      deviceIds.push(w.id);
      if (!w.inserted) updatedIds.push(w.id);
      const apps = new Map(report.apps.map((a) => [a.packageName, a]));
      for (const a of apps.values()) {
        app.device.push(w.id);
        app.id.push(a.packageName);
        app.name.push(a.displayName);
        app.version.push(a.versionName);
        app.state.push(a.state);
      }
    }
    if (deviceIds.length === 0) return;
    if (updatedIds.length > 0) {
      await manager.query(`DELETE FROM device_apps WHERE device_id = ANY($1::uuid[])`, [updatedIds]);
    }
    if (app.device.length === 0) return;
    await manager.query(
      `INSERT INTO device_apps (device_id, identifier, tenant_id, name, version, state, reported_at)
       SELECT a.device_id, a.identifier, $1, a.name, a.version, a.state, $2
         FROM unnest($3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[])
              AS a(device_id, identifier, name, version, state)`,
      [tenantId, now, app.device, app.id, app.name, app.version, app.state],
    );
  }

  /**
   * Counts newly enrolled phones against their enrollment. AMAPI tokens are one-time or unlimited,
   * so an N-use enrollment's token is returned here once N phones have used it, for deletion.
   */
  private async countEnrollmentUses(
    manager: EntityManager,
    tenantId: string,
    written: Array<{ inserted: boolean; enrollment_id: string | null }>,
  ): Promise<string[]> {
    const counts = new Map<string, number>();
    for (const w of written)
      if (w.inserted && w.enrollment_id) counts.set(w.enrollment_id, (counts.get(w.enrollment_id) ?? 0) + 1);
    if (counts.size === 0) return [];
    // TypeORM answers an UPDATE with [rows, affected count].
    const [usedUp]: [Array<{ android_token_name: string | null }>, number] = await manager.query(
      `UPDATE enrollments e SET uses = e.uses + c.n
         FROM unnest($2::uuid[], $3::int[]) AS c(id, n)
        WHERE e.id = c.id AND e.tenant_id = $1
       RETURNING CASE WHEN e.max_uses IS NOT NULL AND e.uses >= e.max_uses AND e.max_uses > 1
                      THEN e.android_token_name END AS android_token_name`,
      [tenantId, [...counts.keys()], [...counts.values()]],
    );
    return usedUp.map((u) => u.android_token_name).filter((name): name is string => Boolean(name));
  }

  /** Converts AMAPI devices to reports, skipping (and counting) malformed ones. */
  toReports(devices: AmapiDevice[]): { reports: AndroidDeviceReport[]; invalid: number } {
    const reports: AndroidDeviceReport[] = [];
    let invalid = 0;
    for (const device of devices) {
      try {
        reports.push(toDeviceReport(device));
      } catch (error) {
        if (!(error instanceof DeviceReportError)) throw error;
        invalid++;
        this.logger.warn({ reason: error.message }, 'AMAPI returned a device Rempart cannot read; skipped');
      }
    }
    return { reports, invalid };
  }

  /**
   * A full devices.list sync of the tenant's enterprise (catches what notifications missed). One
   * at a time per tenant: a second request while one runs is a 409.
   */
  async syncTenant(tenantId: string): Promise<SyncResult> {
    const { enterprise, client } = await this.enterprises.forTenant(tenantId);
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = await runner.query(
        `SELECT pg_try_advisory_lock(hashtextextended('android-sync:' || $1, 0)) AS locked`,
        [tenantId],
      );
      if (!locked)
        throw new DomainException('SYNC_RUNNING', 'an Android sync of this tenant is already running', 409);
      try {
        return await this.runSync(enterprise, client);
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(hashtextextended('android-sync:' || $1, 0))`, [
          tenantId,
        ]);
      }
    } finally {
      await runner.release();
    }
  }

  private async runSync(
    enterprise: AndroidEnterpriseEntity,
    client: Awaited<ReturnType<AndroidEnterpriseService['forTenant']>>['client'],
  ): Promise<SyncResult> {
    const started = performance.now();
    const index = await this.groupIndex(enterprise.tenantId);
    const result = { devices: 0, pages: 0, written: 0, unmatched: 0, invalid: 0 };
    const usedUp: string[] = [];
    // Pages arrive one after the other (each names the next); writes are batched across pages
    // and up to WRITERS batches are written at once, so fetching and writing overlap.
    const inFlight = new Set<Promise<void>>();
    let failure: unknown;
    const write = (reports: AndroidDeviceReport[]) => {
      const batch = this.applyReports(enterprise, reports, index, { durable: false }).then(
        (applied) => {
          result.written += applied.written;
          result.unmatched += applied.unmatched;
          usedUp.push(...applied.usedUpTokens);
        },
        (error: unknown) => {
          failure ??= error;
        },
      );
      const tracked = batch.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
    };
    let pending: AndroidDeviceReport[] = [];
    let batches = 0;
    try {
      for await (const page of client.listDevices(enterprise.enterpriseName)) {
        const { reports, invalid } = this.toReports(page);
        result.pages++;
        result.devices += page.length;
        result.invalid += invalid;
        pending.push(...reports);
        if (pending.length >= SYNC_BATCH) {
          if (++batches === 2) {
            await Promise.all(inFlight);
            await this.refreshStatistics();
          }
          write(pending);
          pending = [];
          while (inFlight.size >= SYNC_WRITERS) await Promise.race(inFlight);
        }
        if (failure) break;
      }
    } catch (error) {
      await Promise.all(inFlight);
      throw amapiFailure('devices.list', error);
    }
    if (pending.length > 0 && !failure) write(pending);
    await Promise.all(inFlight);
    if (failure) throw failure;
    await this.deleteUsedUpTokens(enterprise.tenantId, usedUp);
    await this.enterprises.recordSync(enterprise.id, result.devices);
    const seconds = (performance.now() - started) / 1000;
    this.logger.log({ tenantId: enterprise.tenantId, ...result, seconds }, 'Android devices synced');
    return { ...result, seconds };
  }

  /**
   * A sync that writes more than one batch may be filling the tables (the first sync of a large
   * enterprise): without statistics, the planner took the tenant's devices for a handful of rows and
   * judged each batch by scanning them all, a cost growing with the fleet. One ANALYZE once the
   * first batch is in (a sample, well under a second even for a million rows) gives it the truth;
   * autovacuum keeps it afterwards, when it runs at all.
   */
  private async refreshStatistics(): Promise<void> {
    try {
      await this.dataSource.query('ANALYZE devices, device_apps, device_compliance');
    } catch (error) {
      // Not the tables' owner: the sync goes on with whatever statistics there are.
      this.logger.warn({ error: (error as Error).message }, 'cannot ANALYZE after the first sync batch');
    }
  }

  async deleteUsedUpTokens(tenantId: string, tokenNames: string[]): Promise<void> {
    if (tokenNames.length === 0) return;
    const { client } = await this.enterprises.forTenant(tenantId);
    for (const name of tokenNames) {
      await client
        .deleteEnrollmentToken(name)
        .catch((error: unknown) =>
          this.logger.warn({ token: name, err: error }, 'used-up enrollment token not deleted'),
        );
    }
  }
}
