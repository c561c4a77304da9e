import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const ADE_BLOCKING_STATES = ['terms_not_signed', 'token_rejected'] as const;
export type AdeBlockingState = (typeof ADE_BLOCKING_STATES)[number];

/** Where an ABM device goes: the first rule that matches names its group, else the default group. */
export interface AdeAssignmentRule {
  group: string;
  serials?: string[];
  /** Case-insensitive substring of the device description in ABM. */
  descriptionContains?: string;
}

/**
 * A tenant's link to Apple Business Manager (one MDM server in ABM): the key pair whose
 * certificate the administrator uploaded, the server token's OAuth credentials (encrypted), the
 * sync cursor, and the ADE profile Rempart defined.
 */
@Entity('ade_accounts')
@Index('uq_ade_accounts_tenant', ['tenantId'], { unique: true })
export class AdeAccountEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'certificate_pem', type: 'text' })
  certificatePem!: string;

  @Column({ name: 'encrypted_private_key', type: 'text' })
  encryptedPrivateKey!: string;

  /** The four OAuth strings as JSON, encrypted; null until a token is uploaded. */
  @Column({ name: 'encrypted_credentials', type: 'text', nullable: true })
  encryptedCredentials!: string | null;

  @Column({ name: 'consumer_key', type: 'text', nullable: true })
  consumerKey!: string | null;

  @Column({ name: 'token_expires_at', type: 'timestamptz', nullable: true })
  tokenExpiresAt!: Date | null;

  @Column({ name: 'token_uploaded_at', type: 'timestamptz', nullable: true })
  tokenUploadedAt!: Date | null;

  @Column({ name: 'server_name', type: 'text', nullable: true })
  serverName!: string | null;

  @Column({ name: 'server_uuid', type: 'text', nullable: true })
  serverUuid!: string | null;

  @Column({ name: 'org_name', type: 'text', nullable: true })
  orgName!: string | null;

  @Column({ name: 'admin_id', type: 'text', nullable: true })
  adminId!: string | null;

  /** Set by Apple's answers, cleared by the next success. */
  @Column({ name: 'blocking_state', type: 'text', nullable: true })
  blockingState!: AdeBlockingState | null;

  @Column({ name: 'blocking_message', type: 'text', nullable: true })
  blockingMessage!: string | null;

  /** The token in the ADE enrollment URL (encrypted: it goes into every profile Rempart defines). */
  @Column({ name: 'encrypted_enroll_token', type: 'text' })
  encryptedEnrollToken!: string;

  @Column({ name: 'enroll_token_hash', type: 'char', length: 64, unique: true })
  enrollTokenHash!: string;

  /** The internal enrollment ADE phones' SCEP challenges belong to (made with the first default group). */
  @Column({ name: 'enrollment_id', type: 'uuid', nullable: true })
  enrollmentId!: string | null;

  @Column({ name: 'default_group_id', type: 'uuid', nullable: true })
  defaultGroupId!: string | null;

  @Column({ name: 'assignment_rules', type: 'jsonb', default: () => `'[]'` })
  assignmentRules!: AdeAssignmentRule[];

  @Column({ name: 'skip_setup_items', type: 'text', array: true })
  skipSetupItems!: string[];

  /** Apple's profile_uuid of the profile Rempart defined, and the fingerprint of what it defined. */
  @Column({ name: 'profile_uuid', type: 'text', nullable: true })
  profileUuid!: string | null;

  @Column({ name: 'profile_fingerprint', type: 'char', length: 64, nullable: true })
  profileFingerprint!: string | null;

  /** Committed with the device rows of the page it follows: a crash mid-sync loses nothing. */
  @Column({ type: 'text', nullable: true })
  cursor!: string | null;

  /** true once a full fetch has finished: later runs use /devices/sync. */
  @Column({ name: 'fetch_complete', type: 'boolean', default: false })
  fetchComplete!: boolean;

  @Column({ name: 'last_sync_at', type: 'timestamptz', nullable: true })
  lastSyncAt!: Date | null;

  @Column({ name: 'last_sync_error', type: 'text', nullable: true })
  lastSyncError!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
