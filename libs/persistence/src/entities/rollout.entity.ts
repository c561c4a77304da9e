import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/**
 * scheduled: waits for its start time (a delayed job, re-created by the reconciler if Redis lost it);
 * running: deliveries exist and phones are being woken; paused: no push goes out (phones that check
 * in on their own still get the command); cancelled and superseded are final.
 */
export const ROLLOUT_STATES = ['scheduled', 'running', 'paused', 'cancelled', 'superseded'] as const;
export type RolloutState = (typeof ROLLOUT_STATES)[number];

/** Bringing one published policy version to every enrolled device of its groups. */
@Entity('rollouts')
@Index('uq_rollouts_policy_version', ['policyVersionId'], { unique: true })
@Index('ix_rollouts_tenant_created', ['tenantId', 'createdAt'])
@Index('ix_rollouts_state_starts', ['state', 'startsAt'])
export class RolloutEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'policy_id', type: 'uuid' })
  policyId!: string;

  @Column({ name: 'policy_version_id', type: 'uuid' })
  policyVersionId!: string;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ type: 'text', default: 'scheduled' })
  state!: RolloutState;

  /** The version's effectiveAt: when deliveries are created and pushes start. */
  @Column({ name: 'starts_at', type: 'timestamptz' })
  startsAt!: Date;

  /** When the fan-out created the deliveries; null while scheduled. */
  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  /** PayloadIdentifier and PayloadUUID of the version's profile: a ProfileList showing both verifies. */
  @Column({ name: 'profile_identifier', type: 'text' })
  profileIdentifier!: string;

  @Column({ name: 'profile_uuid', type: 'text' })
  profileUuid!: string;

  @Column({ name: 'created_by', type: 'text' })
  createdBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
