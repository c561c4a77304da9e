import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const MDM_COMMAND_STATUSES = [
  'queued',
  'sent',
  'acknowledged',
  'error',
  'command_format_error',
  'cancelled',
] as const;
export type MdmCommandStatus = (typeof MDM_COMMAND_STATUSES)[number];

/**
 * One Apple MDM command for one phone; its id is the CommandUUID. The queue lives here, not in
 * Redis: the phone pulls its next command when it checks in.
 */
@Entity('mdm_commands')
@Index('ix_mdm_commands_device_pending', ['deviceId', 'status', 'queuedAt'])
export class MdmCommandEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'device_id', type: 'uuid' })
  deviceId!: string;

  @Column({ name: 'request_type', type: 'text' })
  requestType!: string;

  /** What the command needs besides its type, by reference (e.g. the policy version to install). */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  params!: Record<string, unknown>;

  @Column({ type: 'text', default: 'queued' })
  status!: MdmCommandStatus;

  @Column({ name: 'queued_at', type: 'timestamptz', default: () => 'now()' })
  queuedAt!: Date;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;

  /** The phone answered NotNow at this time; it gets the command again after its next Idle. */
  @Column({ name: 'deferred_at', type: 'timestamptz', nullable: true })
  deferredAt!: Date | null;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'not_now_count', type: 'integer', default: 0 })
  notNowCount!: number;

  @Column({ name: 'error_chain', type: 'jsonb', nullable: true })
  errorChain!: object[] | null;

  /** A summary of the response (counts, parsed fields); full inventories go to their tables. */
  @Column({ type: 'jsonb', nullable: true })
  result!: object | null;

  @Column({ name: 'queued_by', type: 'text' })
  queuedBy!: string;
}
