import { Column, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const ADE_ASSIGNMENT_STATUSES = [
  'pending',
  'assigned',
  'failed',
  'throttled',
  'not_accessible',
  'removed',
] as const;
export type AdeAssignmentStatus = (typeof ADE_ASSIGNMENT_STATUSES)[number];

/** A device Apple Business Manager assigned to the tenant's MDM server, as the last sync saw it. */
@Entity('ade_devices')
@Index('uq_ade_devices_tenant_serial', ['tenantId', 'serialNumber'], { unique: true })
// The assignment loop walks due serials in order, a batch at a time: a partial index keeps each
// batch a short index range however many devices are already assigned.
@Index('ix_ade_devices_due', ['tenantId', 'serialNumber'], {
  where: `assignment_status IN ('pending', 'failed', 'throttled')`,
})
export class AdeDeviceEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'serial_number', type: 'text' })
  serialNumber!: string;

  @Column({ type: 'text', nullable: true })
  model!: string | null;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'text', nullable: true })
  color!: string | null;

  @Column({ type: 'text', nullable: true })
  os!: string | null;

  @Column({ name: 'device_family', type: 'text', nullable: true })
  deviceFamily!: string | null;

  /** Apple's view: empty, assigned, pushed, removed. */
  @Column({ name: 'profile_status', type: 'text', nullable: true })
  profileStatus!: string | null;

  @Column({ name: 'device_assigned_by', type: 'text', nullable: true })
  deviceAssignedBy!: string | null;

  @Column({ name: 'device_assigned_date', type: 'timestamptz', nullable: true })
  deviceAssignedDate!: Date | null;

  /** The last op_type seen (fetch results count as added); deleted = released from our MDM server. */
  @Column({ name: 'op_type', type: 'text' })
  opType!: string;

  @Column({ name: 'op_date', type: 'timestamptz', nullable: true })
  opDate!: Date | null;

  /** The group the phone joins when it enrolls (default group or the matching rule). */
  @Column({ name: 'target_group_id', type: 'uuid', nullable: true })
  targetGroupId!: string | null;

  @Column({ name: 'assignment_status', type: 'text', default: 'pending' })
  assignmentStatus!: AdeAssignmentStatus;

  /** The profile_uuid Apple confirmed for this serial. */
  @Column({ name: 'assigned_profile_uuid', type: 'text', nullable: true })
  assignedProfileUuid!: string | null;

  @Column({ name: 'assignment_attempts', type: 'integer', default: 0 })
  assignmentAttempts!: number;

  /** Failed and throttled serials are retried from then on. */
  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true })
  nextAttemptAt!: Date | null;

  @Column({ name: 'last_assignment_result', type: 'text', nullable: true })
  lastAssignmentResult!: string | null;

  @Column({ name: 'assigned_at', type: 'timestamptz', nullable: true })
  assignedAt!: Date | null;

  /** The enrolled device row once the phone came through Setup Assistant. */
  @Column({ name: 'device_id', type: 'uuid', nullable: true })
  deviceId!: string | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
