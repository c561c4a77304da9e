import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AdeApiError, type AdeDevice, type AdeDevicePage, type DeviceAssignmentClient } from '#libs/apple';
import { GroupsService } from '#libs/fleet';
import { AdeAccountEntity, type AdeAssignmentRule } from '#libs/persistence';
import { AdeAccountsService } from './ade-accounts.service.js';
import { AdeAssignmentService, type AdeAssignmentReport } from './ade-assignment.service.js';

/** Apple's maximum page (apple-ade.md §3.4): fewer round trips, and 1,000 rows is one cheap upsert. */
export const ADE_PAGE_SIZE = 1000;
/** A run that stored this many rows refreshes the table's planner statistics. */
const ANALYZE_AFTER_DEVICES = 5000;
/** A run stops after this many pages whatever Apple says, so a misbehaving answer cannot spin forever. */
const MAX_PAGES_PER_RUN = 5000;

export interface AdeSyncReport {
  skipped?: string;
  pages: number;
  devices: number;
  fullFetch: boolean;
  /** Apple echoed the cursor with more_to_follow: the run stopped instead of looping. */
  cursorEchoed: boolean;
  assignment?: AdeAssignmentReport;
  error?: { kind: string; message: string };
}

/** Errors that say "later", not "never": the job is retried by BullMQ with backoff. */
const TRANSIENT = new Set(['rate_limited', 'server_error']);

/**
 * One sync of a tenant's ABM devices: a full fetch (`POST /server/devices`) until it has finished
 * once, then changes (`POST /devices/sync`). Each page and the cursor that follows it are
 * committed in one transaction, so a crash mid-sync resumes at the first page not stored.
 * EXPIRED_CURSOR or INVALID_CURSOR start a full fetch again; EXHAUSTED_CURSOR means the fetch is done.
 * Then the devices that are due get the tenant's ADE profile.
 */
@Injectable()
export class AdeSyncService {
  private readonly logger = new Logger(AdeSyncService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly accounts: AdeAccountsService,
    private readonly assignments: AdeAssignmentService,
    private readonly groups: GroupsService,
  ) {}

  async sync(tenantId: string, options: { pageSize?: number } = {}): Promise<AdeSyncReport> {
    const report: AdeSyncReport = { pages: 0, devices: 0, fullFetch: false, cursorEchoed: false };
    const account = await this.accounts.find(tenantId);
    if (!account?.encryptedCredentials) return { ...report, skipped: 'no server token uploaded' };
    if (account.blockingState === 'token_rejected') {
      return { ...report, skipped: 'Apple rejected the server token: upload a new one' };
    }
    const client = this.accounts.client(account);
    const targets = await this.targetResolver(account);
    try {
      await this.pages(account, client, targets, report, options.pageSize ?? ADE_PAGE_SIZE);
      if (report.devices >= ANALYZE_AFTER_DEVICES) {
        // Until autovacuum gets to it, the planner takes a table just bulk-loaded for empty and
        // joins each assignment batch by scanning all of it: one ANALYZE keeps batches O(batch).
        await this.dataSource.query('ANALYZE ade_devices');
      }
      report.assignment = await this.assignments.assignDue(account, client);
      await this.accounts.recordApiOutcome(account);
      await this.dataSource
        .getRepository(AdeAccountEntity)
        .update({ id: account.id }, { lastSyncAt: new Date(), lastSyncError: null });
      return report;
    } catch (error) {
      if (!(error instanceof AdeApiError)) throw error;
      await this.accounts.recordApiOutcome(account, error);
      await this.dataSource
        .getRepository(AdeAccountEntity)
        .update({ id: account.id }, { lastSyncError: `${error.kind}: ${error.message}` });
      this.logger.warn(
        { tenant: tenantId, kind: error.kind, status: error.status },
        `ADE sync failed: ${error.message}`,
      );
      if (TRANSIENT.has(error.kind)) throw error;
      return { ...report, error: { kind: error.kind, message: error.message } };
    }
  }

  private async pages(
    account: AdeAccountEntity,
    client: DeviceAssignmentClient,
    targets: (device: AdeDevice) => string | null,
    report: AdeSyncReport,
    pageSize: number,
  ): Promise<void> {
    let cursor = account.cursor;
    let fetching = !account.fetchComplete || cursor === null;
    let refetched = false;
    report.fullFetch = fetching;
    const request = (from: string | null, fetch: boolean) => {
      const pending = fetch ? client.fetchDevices(from, pageSize) : client.syncDevices(from!, pageSize);
      pending.catch(() => undefined); // awaited below; a prefetch may also be dropped
      return pending;
    };
    // Apple prepares page n+1 while PostgreSQL stores page n; the cursor is still committed in
    // order, with the page it follows.
    let next: Promise<AdeDevicePage> | undefined;
    while (report.pages < MAX_PAGES_PER_RUN) {
      let page: AdeDevicePage;
      try {
        page = await (next ?? request(cursor, fetching));
      } catch (error) {
        next = undefined;
        if (!(error instanceof AdeApiError)) throw error;
        if (error.kind === 'cursor_exhausted' && fetching && cursor) {
          fetching = false;
          await this.saveCursor(account.id, cursor, true);
          continue;
        }
        if ((error.kind === 'cursor_expired' || error.kind === 'cursor_invalid') && !refetched) {
          this.logger.log(
            { tenant: account.tenantId, code: error.code },
            'ADE cursor no longer valid: full fetch',
          );
          refetched = true;
          fetching = true;
          report.fullFetch = true;
          cursor = null;
          await this.saveCursor(account.id, null, false);
          continue;
        }
        throw error;
      }
      const finished = !page.more_to_follow;
      const echoed = page.more_to_follow && page.cursor === cursor;
      const pageFetching = fetching;
      next = finished || echoed ? undefined : request(page.cursor || cursor, fetching);
      await this.dataSource.transaction(async (manager) => {
        // Apple keeps every device: a page lost to a crash right after commit is fetched again.
        await manager.query('SET LOCAL synchronous_commit TO OFF');
        await this.upsertDevices(manager, account.tenantId, page.devices ?? [], targets, pageFetching);
        await manager.update(
          AdeAccountEntity,
          { id: account.id },
          {
            cursor: page.cursor || cursor,
            fetchComplete: pageFetching ? finished : true,
          },
        );
      });
      report.pages += 1;
      report.devices += page.devices?.length ?? 0;
      cursor = page.cursor || cursor;
      if (echoed) {
        report.cursorEchoed = true;
        this.logger.warn(
          { tenant: account.tenantId },
          'Apple echoed the cursor with more_to_follow: stopping this run',
        );
        return;
      }
      if (finished) return;
    }
  }

  private saveCursor(accountId: string, cursor: string | null, fetchComplete: boolean) {
    return this.dataSource
      .getRepository(AdeAccountEntity)
      .update({ id: accountId }, { cursor, fetchComplete });
  }

  /** Which group a device joins: the first matching rule, else the default group (null: none yet). */
  private async targetResolver(account: AdeAccountEntity): Promise<(device: AdeDevice) => string | null> {
    const groupIds = new Map((await this.groups.list(account.tenantId)).map((g) => [g.slug, g.id]));
    const rules = account.assignmentRules
      .map((rule: AdeAssignmentRule) => ({
        groupId: groupIds.get(rule.group),
        serials: new Set(rule.serials ?? []),
        description: rule.descriptionContains?.toLowerCase(),
      }))
      .filter((rule) => rule.groupId !== undefined);
    return (device) => {
      for (const rule of rules) {
        if (rule.serials.has(device.serial_number)) return rule.groupId!;
        if (rule.description && device.description?.toLowerCase().includes(rule.description))
          return rule.groupId!;
      }
      return account.defaultGroupId;
    };
  }

  /**
   * One INSERT ... ON CONFLICT for the page. A serial seen twice keeps its latest op_date (sync can
   * repeat one); fetch results count as `added`. A `deleted` device is marked removed; one that
   * comes back (or an unknown `modified` one, moved from another MDM server) is due for assignment.
   */
  private async upsertDevices(
    manager: EntityManager,
    tenantId: string,
    devices: AdeDevice[],
    targets: (device: AdeDevice) => string | null,
    fetching: boolean,
  ): Promise<void> {
    const latest = new Map<string, AdeDevice>();
    for (const device of devices) {
      if (!device.serial_number) continue;
      const seen = latest.get(device.serial_number);
      if (!seen || (device.op_date ?? '') >= (seen.op_date ?? '')) latest.set(device.serial_number, device);
    }
    if (latest.size === 0) return;
    const rows = [...latest.values()];
    const opType = (d: AdeDevice) => (fetching ? 'added' : (d.op_type ?? 'modified'));
    const date = (value?: string) => (value && !Number.isNaN(Date.parse(value)) ? value : null);
    await manager.query(
      `INSERT INTO ade_devices (tenant_id, serial_number, model, description, color, os, device_family,
         profile_status, device_assigned_by, device_assigned_date, op_type, op_date, target_group_id, assignment_status)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
         $9::text[], $10::timestamptz[], $11::text[], $12::timestamptz[], $13::uuid[], $14::text[])
       ON CONFLICT (tenant_id, serial_number) DO UPDATE SET
         model = EXCLUDED.model, description = EXCLUDED.description, color = EXCLUDED.color, os = EXCLUDED.os,
         device_family = EXCLUDED.device_family, profile_status = EXCLUDED.profile_status,
         device_assigned_by = EXCLUDED.device_assigned_by, device_assigned_date = EXCLUDED.device_assigned_date,
         op_type = EXCLUDED.op_type, op_date = EXCLUDED.op_date, target_group_id = EXCLUDED.target_group_id,
         assignment_status = CASE
           WHEN EXCLUDED.op_type = 'deleted' THEN 'removed'
           WHEN ade_devices.assignment_status = 'removed' THEN 'pending'
           ELSE ade_devices.assignment_status END,
         updated_at = now()
       WHERE ade_devices.op_date IS NULL OR EXCLUDED.op_date IS NULL OR EXCLUDED.op_date >= ade_devices.op_date`,
      [
        tenantId,
        rows.map((d) => d.serial_number),
        rows.map((d) => d.model ?? null),
        rows.map((d) => d.description ?? null),
        rows.map((d) => d.color ?? null),
        rows.map((d) => d.os ?? null),
        rows.map((d) => d.device_family ?? null),
        rows.map((d) => d.profile_status ?? null),
        rows.map((d) => d.device_assigned_by ?? null),
        rows.map((d) => date(d.device_assigned_date)),
        rows.map(opType),
        rows.map((d) => date(d.op_date)),
        rows.map(targets),
        rows.map((d) => (opType(d) === 'deleted' ? 'removed' : 'pending')),
      ],
    );
  }
}
