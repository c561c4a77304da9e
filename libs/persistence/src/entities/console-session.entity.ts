import {
  Column,
  CreateDateColumn,
  Entity,
  Generated,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { OfficerEntity } from './officer.entity.js';
import { TenantEntity } from './tenant.entity.js';

/**
 * A console sign-in (OpenID Connect): the browser holds the session secret in an HttpOnly cookie,
 * the database only its hash, so that reading this table does not let anyone act as an officer.
 */
@Entity('console_sessions')
@Index('ix_console_sessions_tenant_officer', ['tenantId', 'officerId'])
@Index('ix_console_sessions_expires_at', ['expiresAt'])
export class ConsoleSessionEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /**
   * The session's name outside the server (`GET`/`DELETE /v1/console-sessions`): random, neither the
   * cookie's secret nor its hash, so listing sessions gives nobody a way to act as their officer.
   */
  @Column({ name: 'public_id', type: 'uuid', unique: true })
  @Generated('uuid')
  publicId!: string;

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

  /** SHA-256 of the session cookie's secret, hex. */
  @Column({ name: 'secret_hash', type: 'char', length: 64, unique: true })
  secretHash!: string;

  /** SHA-256 of the CSRF token the page sends back in X-CSRF-Token, hex. */
  @Column({ name: 'csrf_hash', type: 'char', length: 64 })
  csrfHash!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** For the idle timeout; written at most every few seconds, not on every request. */
  @Column({ name: 'last_seen_at', type: 'timestamptz' })
  lastSeenAt!: Date;

  /** The absolute timeout: the session ends then, however active. */
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  /** The provider's ID token, sent back as id_token_hint when signing out at the provider. */
  @Column({ name: 'id_token', type: 'text', nullable: true })
  idToken!: string | null;
}
