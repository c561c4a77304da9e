import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { PolicyEntity } from './policy.entity.js';

/**
 * One published, immutable version of a policy: the resolved ban spec, the lists it came from, and
 * the compiled artifacts with their SHA-256. Compiled once, served to every phone.
 */
@Entity('policy_versions')
@Index('uq_policy_versions_policy_version', ['policyId', 'version'], { unique: true })
@Index('ix_policy_versions_tenant', ['tenantId'])
export class PolicyVersionEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'policy_id', type: 'uuid' })
  policyId!: string;

  @ManyToOne(() => PolicyEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'policy_id' })
  policy?: PolicyEntity;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ name: 'effective_at', type: 'timestamptz' })
  effectiveAt!: Date;

  @Column({ name: 'published_at', type: 'timestamptz' })
  publishedAt!: Date;

  @Column({ name: 'published_by', type: 'text' })
  publishedBy!: string;

  /** Group slugs targeted when the version was published. */
  @Column({ name: 'group_slugs', type: 'text', array: true })
  groupSlugs!: string[];

  /** The BanSpec (libs/policy): every identifier blocked or allowed, per platform. */
  @Column({ name: 'ban_spec', type: 'jsonb' })
  banSpec!: Record<string, unknown>;

  /** The lists as they were at publication (shipped lists change with deployments). */
  @Column({ name: 'list_snapshots', type: 'jsonb' })
  listSnapshots!: Record<string, unknown>[];

  /** The configuration profile before signing (XML plist). */
  @Column({ name: 'ios_profile', type: 'bytea' })
  iosProfile!: Buffer;

  @Column({ name: 'ios_profile_sha256', type: 'char', length: 64 })
  iosProfileSha256!: string;

  /** The same profile as CMS SignedData (DER), signed by the tenant's profile-signing identity. */
  @Column({ name: 'signed_ios_profile', type: 'bytea' })
  signedIosProfile!: Buffer;

  @Column({ name: 'signed_ios_profile_sha256', type: 'char', length: 64 })
  signedIosProfileSha256!: string;

  /** The Android Management API Policy (JSON bytes). */
  @Column({ name: 'android_policy', type: 'bytea' })
  androidPolicy!: Buffer;

  @Column({ name: 'android_policy_sha256', type: 'char', length: 64 })
  androidPolicySha256!: string;

  @Column({ name: 'signing_identity_id', type: 'uuid' })
  signingIdentityId!: string;
}
