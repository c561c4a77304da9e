import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { Platform } from './enrollment.entity.js';

/**
 * pending: the command is queued, the phone not yet woken (or waiting: see `reason`); pushed: APNs
 * took a push; acknowledged: the phone acknowledged InstallProfile; verified: a later ProfileList
 * shows this version's profile; failed: see `reason`; superseded: a newer version replaced it;
 * cancelled: an officer cancelled the rollout.
 */
export const DELIVERY_STATES = [
  'pending',
  'pushed',
  'acknowledged',
  'verified',
  'failed',
  'superseded',
  'cancelled',
] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];
/** States a delivery can still move on from by itself (the reconciler looks at these). */
export const OPEN_DELIVERY_STATES: DeliveryState[] = ['pending', 'pushed', 'acknowledged'];

/**
 * One policy version for one device. Unique per (device, version): a device never gets a version twice.
 * A rollout writes each of its rows at every push, acknowledgement and verification, so no index
 * covers the columns those writes change (state, next_push_at, counters, times): with room left on
 * each page (fillfactor 50, migration DeliveriesUpdatedInPlace) PostgreSQL updates the rows in place
 * (HOT) without touching the indexes, a quarter of the cost of a slice's update.
 */
@Entity('deliveries')
@Index('uq_deliveries_device_version', ['deviceId', 'policyVersionId'], { unique: true })
@Index('ix_deliveries_rollout_slice', ['rolloutId', 'slice'])
export class DeliveryEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'rollout_id', type: 'uuid' })
  rolloutId!: string;

  @Column({ name: 'device_id', type: 'uuid' })
  deviceId!: string;

  @Column({ name: 'policy_version_id', type: 'uuid' })
  policyVersionId!: string;

  @Column({ type: 'text' })
  platform!: Platform;

  @Column({ type: 'text', default: 'pending' })
  state!: DeliveryState;

  /** Why a delivery failed or waits (APNs reason, certificate problem, channel not configured). */
  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  /** The InstallProfile command (Apple); null on Android. */
  @Column({ name: 'command_id', type: 'uuid', nullable: true })
  commandId!: string | null;

  /** Push jobs work on slices of a rollout's deliveries: the job payload is (rollout, slice). */
  @Column({ type: 'integer', default: 0 })
  slice!: number;

  @Column({ name: 'push_count', type: 'integer', default: 0 })
  pushCount!: number;

  @Column({ name: 'last_pushed_at', type: 'timestamptz', nullable: true })
  lastPushedAt!: Date | null;

  /** When the next push is due (first push, retry, or the silent phone's next wake-up). */
  @Column({ name: 'next_push_at', type: 'timestamptz', nullable: true })
  nextPushAt!: Date | null;

  @Column({ name: 'acknowledged_at', type: 'timestamptz', nullable: true })
  acknowledgedAt!: Date | null;

  @Column({ name: 'verified_at', type: 'timestamptz', nullable: true })
  verifiedAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
