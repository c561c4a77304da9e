import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { DeviceGroupEntity } from './device-group.entity.js';

export const PLATFORMS = ['ios', 'android'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** An invitation to enroll phones into a group: a token that expires and may be used N times. */
@Entity('enrollments')
@Index('ix_enrollments_tenant', ['tenantId'])
export class EnrollmentEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'group_id', type: 'uuid' })
  groupId!: string;

  @ManyToOne(() => DeviceGroupEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'group_id' })
  group?: DeviceGroupEntity;

  @Column({ type: 'text' })
  platform!: Platform;

  /** SHA-256 of the enrollment token: how a phone's token finds its enrollment. */
  @Column({ name: 'token_hash', type: 'char', length: 64, unique: true })
  tokenHash!: string;

  /**
   * The token itself, encrypted under the master key, so that an officer can read the enrollUrl again
   * (GET /v1/enrollments/{id}). Null for enrollments made before it was kept.
   */
  @Column({ name: 'encrypted_token', type: 'text', nullable: true })
  encryptedToken!: string | null;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  /** null: unlimited until expiry. */
  @Column({ name: 'max_uses', type: 'integer', nullable: true })
  maxUses!: number | null;

  /** Device certificates issued with it: counted when SCEP consumes one of its challenges. */
  @Column({ type: 'integer', default: 0 })
  uses!: number;

  @Column({ name: 'created_by', type: 'text' })
  createdBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  /** Android: the AMAPI enrollment token (`enterprises/{e}/enrollmentTokens/{t}`), deleted on revoke. */
  @Column({ name: 'android_token_name', type: 'text', nullable: true })
  androidTokenName!: string | null;

  /** Android: the token value and QR payload, encrypted (they enroll a phone, like the token itself). */
  @Column({ name: 'encrypted_android_token', type: 'text', nullable: true })
  encryptedAndroidToken!: string | null;
}
