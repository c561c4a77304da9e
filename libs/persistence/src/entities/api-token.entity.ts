import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { OfficerEntity } from './officer.entity.js';
import { TenantEntity } from './tenant.entity.js';

@Entity('api_tokens')
@Index('ix_api_tokens_tenant_officer', ['tenantId', 'officerId'])
export class ApiTokenEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @ManyToOne(() => TenantEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id' })
  tenant?: TenantEntity;

  @Column({ name: 'officer_id', type: 'uuid' })
  officerId!: string;

  @ManyToOne(() => OfficerEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'officer_id' })
  officer?: OfficerEntity;

  @Column({ type: 'text' })
  label!: string;

  /** SHA-256 of the token's secret, hex. The secret itself is shown once and never stored. */
  @Column({ name: 'secret_hash', type: 'char', length: 64, unique: true })
  secretHash!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;
}
