import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { Platform } from './enrollment.entity.js';

/**
 * compliant; non_compliant (a banned app is installed, the profile or policy is missing or old);
 * pending (a rollout to the device is in flight); unenforceable (an unsupervised iPhone, on which
 * Apple ignores blockedAppBundleIDs); stale (no check-in within the freshness window); unknown (no
 * usable inventory yet).
 */
export const COMPLIANCE_STATUSES = [
  'compliant',
  'non_compliant',
  'pending',
  'unenforceable',
  'stale',
  'unknown',
] as const;
export type ComplianceStatus = (typeof COMPLIANCE_STATUSES)[number];

/**
 * One row per enrolled device: what its last inventory said (facts written by the phone-facing
 * side) and the status evaluated from them, with its reasons. Unenrolled devices have no row.
 * Two indexes, each paid on every status change of a fleet (and only then: the columns they hold
 * change with the status, so re-evaluations that change nothing stay HOT updates): one serves the
 * reports for the tenant and per group, the other the console's device list in its order (longest
 * non-compliant first), which would otherwise sort the whole fleet for each page.
 */
@Entity('device_compliance')
@Index('ix_device_compliance_tenant_group_status', ['tenantId', 'groupId', 'status'])
@Index('ix_device_compliance_tenant_list_order', ['tenantId', 'nonCompliantSince', 'statusSince', 'deviceId'])
export class DeviceComplianceEntity {
  @PrimaryColumn({ name: 'device_id', type: 'uuid' })
  deviceId!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  /** The device's group when it was last evaluated (reports filter by group without a join). */
  @Column({ name: 'group_id', type: 'uuid' })
  groupId!: string;

  @Column({ type: 'text' })
  platform!: Platform;

  @Column({ type: 'text', default: 'unknown' })
  status!: ComplianceStatus;

  /** Why the status is what it is: `[{code, app?, name?, policy?, version?, detail?}]`. */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  reasons!: Array<Record<string, unknown>>;

  /** What is worth knowing but is no violation (an approved messenger missing). */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  warnings!: Array<Record<string, unknown>>;

  /** Identifiers of the banned apps installed (per-app counts). */
  @Column({ name: 'banned_apps', type: 'text', array: true, default: () => "'{}'" })
  bannedApps!: string[];

  @Column({ name: 'status_since', type: 'timestamptz', default: () => 'now()' })
  statusSince!: Date;

  /** Since when the device has been non-compliant without interruption; null when it is not. */
  @Column({ name: 'non_compliant_since', type: 'timestamptz', nullable: true })
  nonCompliantSince!: Date | null;

  @Column({ name: 'evaluated_at', type: 'timestamptz', nullable: true })
  evaluatedAt!: Date | null;

  /** Last complete app inventory (InstalledApplicationList acknowledged, or an Android report). */
  @Column({ name: 'apps_reported_at', type: 'timestamptz', nullable: true })
  appsReportedAt!: Date | null;

  /** Last complete profile list (ProfileList acknowledged). */
  @Column({ name: 'profiles_reported_at', type: 'timestamptz', nullable: true })
  profilesReportedAt!: Date | null;

  /** The last inventory command that failed, when no complete inventory came after it. */
  @Column({ name: 'inventory_failed_at', type: 'timestamptz', nullable: true })
  inventoryFailedAt!: Date | null;

  @Column({ name: 'inventory_error', type: 'text', nullable: true })
  inventoryError!: string | null;
}

/** A status change of one device, with its time; the events webhooks carry come from these rows. */
@Entity('compliance_history')
@Index('ix_compliance_history_device', ['tenantId', 'deviceId', 'changedAt'])
@Index('ix_compliance_history_undispatched', ['id'], {
  where: 'event IS NOT NULL AND dispatched_at IS NULL',
})
export class ComplianceHistoryEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'device_id', type: 'uuid' })
  deviceId!: string;

  @Column({ name: 'from_status', type: 'text', nullable: true })
  fromStatus!: ComplianceStatus | null;

  @Column({ name: 'to_status', type: 'text' })
  toStatus!: ComplianceStatus;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  reasons!: Array<Record<string, unknown>>;

  @Column({ name: 'changed_at', type: 'timestamptz', default: () => 'now()' })
  changedAt!: Date;

  /** `device.non_compliant` or `device.compliant` (back from non-compliant); null: no webhook event. */
  @Column({ type: 'text', nullable: true })
  event!: string | null;

  /** When the event was turned into webhook deliveries. */
  @Column({ name: 'dispatched_at', type: 'timestamptz', nullable: true })
  dispatchedAt!: Date | null;
}

/** Devices per status for one tenant and day (the trend); today's row is refreshed as the day goes. */
@Entity('compliance_snapshots')
export class ComplianceSnapshotEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @PrimaryColumn({ type: 'date' })
  day!: string;

  @PrimaryColumn({ type: 'text' })
  status!: ComplianceStatus;

  @Column({ type: 'integer' })
  devices!: number;

  @Column({ name: 'taken_at', type: 'timestamptz', default: () => 'now()' })
  takenAt!: Date;
}
