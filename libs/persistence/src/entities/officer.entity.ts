import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { TenantEntity } from './tenant.entity.js';

export const OFFICER_ROLES = ['admin', 'officer', 'auditor'] as const;
export type OfficerRole = (typeof OFFICER_ROLES)[number];

@Entity('officers')
@Index('uq_officers_tenant_email', ['tenantId', 'email'], { unique: true })
export class OfficerEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @ManyToOne(() => TenantEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id' })
  tenant?: TenantEntity;

  /** Stored lower-cased: addresses are compared case-insensitively. */
  @Column({ type: 'text' })
  email!: string;

  @Column({ type: 'enum', enum: OFFICER_ROLES, enumName: 'officer_role' })
  role!: OfficerRole;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** A disabled officer keeps their audit history but no token of theirs authenticates. */
  @Column({ name: 'disabled_at', type: 'timestamptz', nullable: true })
  disabledAt!: Date | null;
}
