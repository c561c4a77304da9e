import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** A tenant's own block or allow list. Shipped lists live in profiles/ and are not stored here. */
@Entity('app_lists')
@Index('uq_app_lists_tenant_slug', ['tenantId', 'slug'], { unique: true })
export class AppListEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ type: 'text' })
  slug!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  kind!: 'block' | 'allow';

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  sources!: string[];

  /** As written by the officer: an ISO-8601 date or date-time. */
  @Column({ name: 'effective_at', type: 'text', nullable: true })
  effectiveAt!: string | null;

  /** Catalog app slugs. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  apps!: string[];

  @Column({ name: 'bundle_ids', type: 'text', array: true, default: () => "'{}'" })
  bundleIds!: string[];

  @Column({ name: 'package_names', type: 'text', array: true, default: () => "'{}'" })
  packageNames!: string[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
