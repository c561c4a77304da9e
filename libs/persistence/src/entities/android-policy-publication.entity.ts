import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The Android leg of a rollout, per targeted group: which AMAPI policy version carries the rollout's
 * policy version. A phone of the group that reports an appliedPolicyVersion at or above it has
 * applied the rollout: its delivery is verified.
 */
@Entity('android_policy_publications')
export class AndroidPolicyPublicationEntity {
  @PrimaryColumn({ name: 'rollout_id', type: 'uuid' })
  rolloutId!: string;

  @PrimaryColumn({ name: 'group_id', type: 'uuid' })
  groupId!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'policy_name', type: 'text' })
  policyName!: string;

  /** Policy.version that AMAPI holds with this rollout's content (int64 as a decimal string). */
  @Column({ name: 'amapi_version', type: 'bigint' })
  amapiVersion!: string;

  @Column({ name: 'published_at', type: 'timestamptz' })
  publishedAt!: Date;
}
