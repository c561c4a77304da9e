import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import type { MdmCommandEntity } from '#libs/persistence';
import { isUUID } from 'class-validator';

export interface ReportedProfile {
  identifier: string;
  uuid?: string | null;
}

/**
 * What the phone-facing side tells deliveries: a phone enrolled and was given its group's current
 * version, acknowledged (or refused) an InstallProfile, listed its profiles. Each method runs in the
 * caller's transaction, so a command result and its delivery state commit together.
 */
@Injectable()
export class DeliveryTrackerService {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /**
   * A phone that enrolls after a rollout gets its group's current version at enrollment; record it
   * as a delivery of that version's rollout. A device enrolling again (new command for a version it
   * already had) points its delivery at the new command and cancels the old one if still open.
   */
  async recordEnrollmentDelivery(
    manager: EntityManager,
    tenantId: string,
    deviceId: string,
    policyVersionId: string,
    commandId: string,
  ): Promise<void> {
    const previous: Array<{ command_id: string | null }> = await manager.query(
      `SELECT command_id FROM deliveries WHERE device_id = $1 AND policy_version_id = $2 FOR UPDATE`,
      [deviceId, policyVersionId],
    );
    if (previous[0]?.command_id) {
      await manager.query(
        `UPDATE mdm_commands SET status = 'cancelled', completed_at = now()
          WHERE id = $1 AND status IN ('queued', 'sent')`,
        [previous[0].command_id],
      );
    }
    // The phone is checking in right now: no push is due until it has had time to fetch the command.
    await manager.query(
      `INSERT INTO deliveries (tenant_id, rollout_id, device_id, policy_version_id, platform, state, command_id, next_push_at)
       SELECT $1, r.id, $2, $3, 'ios', 'pending', $4, now() + make_interval(secs => $5)
         FROM rollouts r WHERE r.policy_version_id = $3 AND r.tenant_id = $1
       ON CONFLICT (device_id, policy_version_id) DO UPDATE
         SET command_id = EXCLUDED.command_id, state = 'pending', reason = NULL,
             next_push_at = EXCLUDED.next_push_at, acknowledged_at = NULL, verified_at = NULL,
             updated_at = now()`,
      [tenantId, deviceId, policyVersionId, commandId, this.config.ROLLOUT_REPUSH_SECONDS],
    );
  }

  /** The phone acknowledged InstallProfile: the version's profile is installed, to be verified. */
  async installAcknowledged(manager: EntityManager, command: InstallCommand, at: Date): Promise<void> {
    const key = deliveryKey(command);
    if (key === undefined) return;
    // `at` (not now(), the transaction's start) orders the acknowledgement before the follow-up
    // ProfileList queued after it: only that list can verify the install.
    await manager.query(
      `UPDATE deliveries
          SET state = 'acknowledged', reason = NULL, acknowledged_at = $5, updated_at = now(),
              next_push_at = now() + make_interval(secs => $4)
        WHERE device_id = $1 AND policy_version_id = $2 AND command_id = $3
          AND state IN ('pending', 'pushed', 'failed')`,
      [...key, this.config.ROLLOUT_REPUSH_SECONDS, at],
    );
  }

  /** The phone refused InstallProfile (Error or CommandFormatError): the delivery fails with why. */
  async installFailed(manager: EntityManager, command: InstallCommand, reason: string): Promise<void> {
    const key = deliveryKey(command);
    if (key === undefined) return;
    await manager.query(
      `UPDATE deliveries SET state = 'failed', reason = $4, next_push_at = NULL, updated_at = now()
        WHERE device_id = $1 AND policy_version_id = $2 AND command_id = $3
          AND state IN ('pending', 'pushed', 'failed')`,
      [...key, reason],
    );
  }

  /**
   * A ProfileList answered. Deliveries acknowledged before the list was asked for are verified when
   * the list shows their profile (identifier and this version's PayloadUUID), failed otherwise.
   */
  async profilesListed(
    manager: EntityManager,
    deviceId: string,
    listRequestedAt: Date,
    profiles: ReportedProfile[],
  ): Promise<void> {
    const listed = profiles.map((p) => `${p.identifier}|${(p.uuid ?? '').toUpperCase()}`);
    await manager.query(
      `UPDATE deliveries d
          SET state = CASE WHEN (r.profile_identifier || '|' || upper(r.profile_uuid)) = ANY($3::text[])
                           THEN 'verified' ELSE 'failed' END,
              reason = CASE WHEN (r.profile_identifier || '|' || upper(r.profile_uuid)) = ANY($3::text[])
                            THEN NULL ELSE 'ProfileList after the install does not show this version''s profile' END,
              verified_at = CASE WHEN (r.profile_identifier || '|' || upper(r.profile_uuid)) = ANY($3::text[])
                                 THEN now() END,
              next_push_at = NULL, updated_at = now()
         FROM rollouts r
        WHERE d.rollout_id = r.id AND d.device_id = $1 AND d.state = 'acknowledged'
          AND d.acknowledged_at <= $2`,
      [deviceId, listRequestedAt, listed],
    );
  }
}

/** An InstallProfile command as the phone answered it: its delivery is (device, policy version). */
export type InstallCommand = Pick<MdmCommandEntity, 'id' | 'deviceId' | 'params'>;

/**
 * The delivery an InstallProfile command belongs to, found through the (device, version) unique
 * index and checked against its current command; none for a command that installs no policy version.
 */
function deliveryKey(command: InstallCommand): [string, string, string] | undefined {
  const versionId = command.params.policyVersionId;
  return typeof versionId === 'string' && isUUID(versionId)
    ? [command.deviceId, versionId, command.id]
    : undefined;
}
