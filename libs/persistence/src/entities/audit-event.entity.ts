import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One officer mutation. Append-only (a trigger refuses UPDATE and DELETE) and chained: `hash` covers
 * this event's fields and the previous event's hash within the same tenant, so an edited or removed
 * row breaks the chain at a point `audit verify` can name.
 */
@Entity('audit_events')
@Index('uq_audit_events_tenant_seq', ['tenantId', 'seq'], { unique: true })
@Index('ix_audit_events_tenant_time', ['tenantId', 'occurredAt'])
export class AuditEventEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  /** Position in the tenant's chain, from 1. */
  @Column({ type: 'integer' })
  seq!: number;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId!: string | null;

  /** Officer e-mail, or `cli:<user>` for operator commands. */
  @Column({ name: 'actor_label', type: 'text' })
  actorLabel!: string;

  @Column({ type: 'text' })
  action!: string;

  @Column({ name: 'target_type', type: 'text' })
  targetType!: string;

  @Column({ name: 'target_id', type: 'text' })
  targetId!: string;

  @Column({ type: 'jsonb', nullable: true })
  before!: Record<string, unknown> | null;

  @Column({ type: 'jsonb', nullable: true })
  after!: Record<string, unknown> | null;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId!: string | null;

  @Column({ name: 'prev_hash', type: 'char', length: 64 })
  prevHash!: string;

  @Column({ type: 'char', length: 64 })
  hash!: string;

  /**
   * HMAC-SHA256 of `hash` under AUDIT_HMAC_KEY, which the database never sees: rewriting events and
   * recomputing their hashes with database rights alone leaves MACs that do not verify. Null only on
   * events written before MACs existed (they are pinned by the first signed event's prev_hash).
   */
  @Column({ type: 'char', length: 64, nullable: true })
  mac!: string | null;
}
