import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/**
 * A tenant's Android Enterprise: the AMAPI enterprise name and the Google Cloud service-account key
 * that manages it (encrypted under REMPART_MASTER_KEY, bound to the tenant). One per tenant.
 */
@Entity('android_enterprises')
@Index('uq_android_enterprises_tenant', ['tenantId'], { unique: true })
@Index('uq_android_enterprises_name', ['enterpriseName'], { unique: true })
export class AndroidEnterpriseEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  /** `enterprises/LC0...` */
  @Column({ name: 'enterprise_name', type: 'text' })
  enterpriseName!: string;

  @Column({ name: 'project_id', type: 'text' })
  projectId!: string;

  @Column({ name: 'service_account_email', type: 'text' })
  serviceAccountEmail!: string;

  @Column({ name: 'encrypted_service_account_key', type: 'text' })
  encryptedServiceAccountKey!: string;

  @Column({ name: 'bound_by', type: 'text' })
  boundBy!: string;

  /** Last time Rempart reached the enterprise with the key, and what went wrong if it did not. */
  @Column({ name: 'last_checked_at', type: 'timestamptz', nullable: true })
  lastCheckedAt!: Date | null;

  @Column({ name: 'last_check_error', type: 'text', nullable: true })
  lastCheckError!: string | null;

  @Column({ name: 'last_sync_at', type: 'timestamptz', nullable: true })
  lastSyncAt!: Date | null;

  @Column({ name: 'last_sync_devices', type: 'integer', nullable: true })
  lastSyncDevices!: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/**
 * A signup started with signupUrls.create: the admin is on Google's page; Google sends the browser
 * back to the callback (which names this row) with an enterpriseToken, and enterprises.create ends it.
 */
@Entity('android_signups')
@Index('ix_android_signups_tenant', ['tenantId'])
export class AndroidSignupEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'signup_url_name', type: 'text' })
  signupUrlName!: string;

  @Column({ name: 'project_id', type: 'text' })
  projectId!: string;

  @Column({ name: 'service_account_email', type: 'text' })
  serviceAccountEmail!: string;

  @Column({ name: 'encrypted_service_account_key', type: 'text' })
  encryptedServiceAccountKey!: string;

  /** SHA-256 of the secret in the callback URL: only Google's redirect of this signup can finish it. */
  @Column({ name: 'callback_secret_hash', type: 'char', length: 64 })
  callbackSecretHash!: string;

  @Column({ name: 'created_by', type: 'text' })
  createdBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;
}

/** Pub/Sub message ids already handled: delivery is at-least-once, a redelivery changes nothing. */
@Entity('android_notifications')
export class AndroidNotificationEntity {
  @Column({ name: 'message_id', type: 'text', primary: true })
  messageId!: string;

  @Column({ name: 'tenant_id', type: 'uuid', nullable: true })
  tenantId!: string | null;

  @Column({ type: 'text' })
  type!: string;

  @CreateDateColumn({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;
}
