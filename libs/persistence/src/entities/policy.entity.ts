import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinTable,
  ManyToMany,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { DeviceGroupEntity } from './device-group.entity.js';

export const POLICY_MODES = ['blocklist', 'allowlist'] as const;
export type PolicyMode = (typeof POLICY_MODES)[number];

/** What an officer edits: which lists apply to which groups. Publishing freezes it into a version. */
@Entity('policies')
@Index('uq_policies_tenant_slug', ['tenantId', 'slug'], { unique: true })
export class PolicyEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ type: 'text' })
  slug!: string;

  @Column({ type: 'text' })
  name!: string;

  /** Shown to phone users in the profile; a default text is used when empty. */
  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'enum', enum: POLICY_MODES, enumName: 'policy_mode', default: 'blocklist' })
  mode!: PolicyMode;

  /** Also emit Apple's deprecated pre-iOS 15 restriction keys. */
  @Column({ name: 'include_legacy_ios_keys', type: 'boolean', default: false })
  includeLegacyIosKeys!: boolean;

  @ManyToMany(() => DeviceGroupEntity)
  @JoinTable({
    name: 'policy_groups',
    joinColumn: { name: 'policy_id', referencedColumnName: 'id' },
    inverseJoinColumn: { name: 'group_id', referencedColumnName: 'id' },
  })
  groups!: DeviceGroupEntity[];

  /** Slugs of the tenant's own lists or of shipped lists. */
  @Column({ name: 'block_lists', type: 'text', array: true, default: () => "'{}'" })
  blockLists!: string[];

  @Column({ name: 'allow_lists', type: 'text', array: true, default: () => "'{}'" })
  allowLists!: string[];

  /** Catalog slugs of approved apps to force-install on Android. */
  @Column({ name: 'force_install', type: 'text', array: true, default: () => "'{}'" })
  forceInstall!: string[];

  @Column({ name: 'effective_at', type: 'timestamptz', nullable: true })
  effectiveAt!: Date | null;

  @Column({ name: 'latest_version', type: 'integer', default: 0 })
  latestVersion!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
