import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  adeProfileFingerprint,
  buildAdeProfile,
  type AdeAssignResult,
  type DeviceAssignmentClient,
} from '#libs/apple';
import { AdeAccountEntity, TenantEntity } from '#libs/persistence';
import { AdeAccountsService } from './ade-accounts.service.js';

/** Apple's limit per assign call (apple-ade.md §3.6); a smaller batch only costs round trips. */
export const ADE_ASSIGN_BATCH = 1000;
/** THROTTLED without retry_after_seconds: Apple told Fleet to leave those serials alone for a day. */
const THROTTLED_DEFAULT_SECONDS = 24 * 60 * 60;

export interface AdeAssignmentReport {
  profileUuid: string;
  assigned: number;
  failed: number;
  throttled: number;
  notAccessible: number;
}

/**
 * Defines the tenant's ADE profile at Apple (again whenever what it would contain changes) and
 * assigns it to the ABM devices that are due: new ones, unknown `modified` ones, and failed or
 * throttled ones whose wait is over. Each serial's answer is kept on its row.
 */
@Injectable()
export class AdeAssignmentService {
  private readonly logger = new Logger(AdeAssignmentService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly accounts: AdeAccountsService,
  ) {}

  async assignDue(
    account: AdeAccountEntity,
    client: DeviceAssignmentClient,
    batchSize = ADE_ASSIGN_BATCH,
  ): Promise<AdeAssignmentReport> {
    const report: AdeAssignmentReport = {
      profileUuid: '',
      assigned: 0,
      failed: 0,
      throttled: 0,
      notAccessible: 0,
    };
    if (!(await this.anyDue(account.tenantId))) return report;
    report.profileUuid = await this.ensureProfile(account, client);
    // Apple answers batch n+1 while PostgreSQL records batch n: the two round trips overlap.
    let recording: Promise<void> = Promise.resolve();
    let after = '';
    for (;;) {
      const serials = await this.dueSerials(account.tenantId, after, batchSize);
      if (serials.length === 0) break;
      const result = await client.assignProfile(report.profileUuid, serials);
      await recording;
      recording = this.recordResults(account.tenantId, serials, result).then((counts) => {
        report.assigned += counts.SUCCESS;
        report.failed += counts.FAILED;
        report.throttled += counts.THROTTLED;
        report.notAccessible += counts.NOT_ACCESSIBLE;
      });
      // Handled when awaited above; this only keeps Node from calling it unhandled meanwhile.
      recording.catch(() => undefined);
      after = serials[serials.length - 1];
    }
    await recording;
    return report;
  }

  private async anyDue(tenantId: string): Promise<boolean> {
    return (await this.dueSerials(tenantId, '', 1)).length > 0;
  }

  private async dueSerials(tenantId: string, after: string, limit: number): Promise<string[]> {
    const rows: Array<{ serial_number: string }> = await this.dataSource.query(
      `SELECT serial_number FROM ade_devices
       WHERE tenant_id = $1 AND target_group_id IS NOT NULL
         AND assignment_status IN ('pending', 'failed', 'throttled')
         AND (next_attempt_at IS NULL OR next_attempt_at <= now())
         AND serial_number > $2
       ORDER BY serial_number LIMIT $3`,
      [tenantId, after, limit],
    );
    return rows.map((row) => row.serial_number);
  }

  /** The profile_uuid of the tenant's current ADE profile, defined now if it changed since. */
  private async ensureProfile(account: AdeAccountEntity, client: DeviceAssignmentClient): Promise<string> {
    const tenant = await this.dataSource
      .getRepository(TenantEntity)
      .findOneByOrFail({ id: account.tenantId });
    const profile = buildAdeProfile({
      organization: tenant.name,
      url: this.accounts.enrollUrl(account),
      skipSetupItems: account.skipSetupItems,
    });
    const fingerprint = adeProfileFingerprint(profile);
    if (account.profileUuid && account.profileFingerprint === fingerprint) return account.profileUuid;
    const { profile_uuid: profileUuid } = await client.defineProfile(profile);
    await this.dataSource.transaction(async (manager) => {
      await manager.update(
        AdeAccountEntity,
        { id: account.id },
        { profileUuid, profileFingerprint: fingerprint },
      );
      // Phones not yet enrolled must get the new profile (panes, URL); enrolled ones keep theirs.
      await manager.query(
        `UPDATE ade_devices SET assignment_status = 'pending', next_attempt_at = NULL
         WHERE tenant_id = $1 AND assignment_status = 'assigned' AND device_id IS NULL
           AND assigned_profile_uuid IS DISTINCT FROM $2`,
        [account.tenantId, profileUuid],
      );
    });
    account.profileUuid = profileUuid;
    account.profileFingerprint = fingerprint;
    this.logger.log({ tenant: account.tenantId, profileUuid }, 'ADE profile defined at Apple');
    return profileUuid;
  }

  /** One statement for the whole batch; a serial missing from Apple's answer counts as FAILED. */
  private async recordResults(tenantId: string, serials: string[], result: AdeAssignResult) {
    const statuses = serials.map((serial) => result.devices?.[serial] ?? 'FAILED');
    const counts = { SUCCESS: 0, FAILED: 0, THROTTLED: 0, NOT_ACCESSIBLE: 0 };
    for (const status of statuses) counts[status in counts ? status : 'FAILED'] += 1;
    await this.dataSource.query(
      `UPDATE ade_devices d SET
         assignment_status = CASE r.status WHEN 'SUCCESS' THEN 'assigned' WHEN 'THROTTLED' THEN 'throttled'
                             WHEN 'NOT_ACCESSIBLE' THEN 'not_accessible' ELSE 'failed' END,
         assigned_profile_uuid = CASE WHEN r.status = 'SUCCESS' THEN $3 ELSE d.assigned_profile_uuid END,
         assigned_at = CASE WHEN r.status = 'SUCCESS' THEN now() ELSE d.assigned_at END,
         assignment_attempts = d.assignment_attempts + 1,
         last_assignment_result = r.status,
         next_attempt_at = CASE r.status
           WHEN 'THROTTLED' THEN now() + make_interval(secs => $4)
           WHEN 'FAILED' THEN now() + make_interval(secs => least(86400, 300 * power(2, d.assignment_attempts)))
           ELSE NULL END,
         updated_at = now()
       FROM unnest($2::text[], $5::text[]) AS r(serial, status)
       WHERE d.tenant_id = $1 AND d.serial_number = r.serial`,
      [
        tenantId,
        serials,
        result.profile_uuid,
        result.retry_after_seconds ?? THROTTLED_DEFAULT_SECONDS,
        statuses,
      ],
    );
    return counts;
  }
}
