import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Platform } from './enrollment.entity.js';

export const DEVICE_STATUSES = ['pending', 'enrolled', 'unenrolled'] as const;
export type DeviceStatus = (typeof DEVICE_STATUSES)[number];

@Entity('devices')
@Index('uq_devices_tenant_udid', ['tenantId', 'udid'], { unique: true })
@Index('ix_devices_tenant_group', ['tenantId', 'groupId'])
export class DeviceEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ type: 'text' })
  platform!: Platform;

  @Column({ name: 'group_id', type: 'uuid' })
  groupId!: string;

  @Column({ name: 'enrollment_id', type: 'uuid', nullable: true })
  enrollmentId!: string | null;

  @Column({ type: 'text' })
  udid!: string;

  @Column({ type: 'text', default: 'pending' })
  status!: DeviceStatus;

  @Column({ name: 'serial_number', type: 'text', nullable: true })
  serialNumber!: string | null;

  @Column({ type: 'text', nullable: true })
  model!: string | null;

  @Column({ name: 'model_name', type: 'text', nullable: true })
  modelName!: string | null;

  @Column({ name: 'product_name', type: 'text', nullable: true })
  productName!: string | null;

  @Column({ name: 'os_version', type: 'text', nullable: true })
  osVersion!: string | null;

  @Column({ name: 'build_version', type: 'text', nullable: true })
  buildVersion!: string | null;

  @Column({ name: 'device_name', type: 'text', nullable: true })
  deviceName!: string | null;

  /** From DeviceInformation; null until the phone has answered. */
  @Column({ name: 'is_supervised', type: 'boolean', nullable: true })
  isSupervised!: boolean | null;

  /** SHA-256 (hex) of the identity certificate bound at Authenticate; another certificate is refused. */
  @Column({ name: 'identity_certificate_sha256', type: 'char', length: 64, nullable: true })
  identityCertificateSha256!: string | null;

  @Column({ name: 'push_token', type: 'text', nullable: true })
  pushToken!: string | null;

  @Column({ name: 'push_magic', type: 'text', nullable: true })
  pushMagic!: string | null;

  @Column({ name: 'push_topic', type: 'text', nullable: true })
  pushTopic!: string | null;

  /** APNs answered 410 Unregistered for this token: no push until the phone sends a new TokenUpdate. */
  @Column({ name: 'push_token_invalid_at', type: 'timestamptz', nullable: true })
  pushTokenInvalidAt!: Date | null;

  @Column({ name: 'security_info', type: 'jsonb', nullable: true })
  securityInfo!: object | null;

  @Column({ type: 'jsonb', nullable: true })
  restrictions!: object | null;

  /** When the phone last reported Idle: commands it deferred (NotNow) before then are due again. */
  @Column({ name: 'last_idle_at', type: 'timestamptz', nullable: true })
  lastIdleAt!: Date | null;

  @Column({ name: 'last_seen_at', type: 'timestamptz', nullable: true })
  lastSeenAt!: Date | null;

  @Column({ name: 'enrolled_at', type: 'timestamptz', nullable: true })
  enrolledAt!: Date | null;

  @Column({ name: 'unenrolled_at', type: 'timestamptz', nullable: true })
  unenrolledAt!: Date | null;

  /** Android: the AMAPI device name `enterprises/{e}/devices/{d}` (udid is `{d}`). */
  @Column({ name: 'amapi_name', type: 'text', nullable: true })
  amapiName!: string | null;

  /** Android: softwareInfo.securityPatchLevel, e.g. `2026-10-05`. */
  @Column({ name: 'security_patch_level', type: 'text', nullable: true })
  securityPatchLevel!: string | null;

  /** Android: whether the phone says it complies with its policy; null until it has reported. */
  @Column({ name: 'policy_compliant', type: 'boolean', nullable: true })
  policyCompliant!: boolean | null;

  /** Android: nonComplianceDetails (reason, package, setting) from the last report. */
  @Column({ name: 'non_compliance_details', type: 'jsonb', nullable: true })
  nonComplianceDetails!: object[] | null;

  /** Android: the AMAPI policy version the phone applied (int64, as a decimal string). */
  @Column({ name: 'applied_policy_version', type: 'bigint', nullable: true })
  appliedPolicyVersion!: string | null;

  /** Android: lastStatusReportTime; older reports (redelivered or out of order) are ignored. */
  @Column({ name: 'last_status_report_at', type: 'timestamptz', nullable: true })
  lastStatusReportAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
