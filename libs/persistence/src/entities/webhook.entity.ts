import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const WEBHOOK_EVENTS = ['device.non_compliant', 'device.compliant'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** A tenant's HTTPS endpoint for compliance events. Deleting one keeps its delivery log. */
@Entity('webhooks')
@Index('ix_webhooks_tenant', ['tenantId'])
export class WebhookEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ type: 'text' })
  url!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'text', array: true })
  events!: WebhookEvent[];

  /** The HMAC key, encrypted under REMPART_MASTER_KEY (shown to the admin once, at creation). */
  @Column({ name: 'secret_encrypted', type: 'text' })
  secretEncrypted!: string;

  @Column({ name: 'created_by', type: 'text' })
  createdBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;
}

export const WEBHOOK_DELIVERY_STATES = ['pending', 'delivered', 'failed'] as const;
export type WebhookDeliveryState = (typeof WEBHOOK_DELIVERY_STATES)[number];

/** One event for one webhook: the delivery log (attempts, last answer). */
@Entity('webhook_deliveries')
@Index('uq_webhook_deliveries_event', ['webhookId', 'historyId'], { unique: true })
@Index('ix_webhook_deliveries_webhook_created', ['webhookId', 'createdAt'])
@Index('ix_webhook_deliveries_pending', ['updatedAt'], { where: `state = 'pending'` })
export class WebhookDeliveryEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'webhook_id', type: 'uuid' })
  webhookId!: string;

  /** The compliance_history row the event comes from. */
  @Column({ name: 'history_id', type: 'bigint' })
  historyId!: string;

  @Column({ type: 'text' })
  event!: string;

  /** The JSON body sent, byte for byte what is signed. */
  @Column({ type: 'text' })
  body!: string;

  @Column({ type: 'text', default: 'pending' })
  state!: WebhookDeliveryState;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'last_status_code', type: 'integer', nullable: true })
  lastStatusCode!: number | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt!: Date | null;
}
