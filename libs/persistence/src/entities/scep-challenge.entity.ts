import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A SCEP challenge handed out in one enrollment profile download. Consumed by the certificate it
 * lets SCEP issue; that certificate's hash then ties the device to the enrollment at Authenticate.
 * The row is also the record of that device certificate: the one UDID it may speak for, and whether
 * an officer revoked it.
 */
@Entity('scep_challenges')
@Index('ix_scep_challenges_issued_cert', ['issuedCertificateSha256'])
export class ScepChallengeEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'enrollment_id', type: 'uuid' })
  enrollmentId!: string;

  @Column({ name: 'challenge_hash', type: 'char', length: 64, unique: true })
  challengeHash!: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'consumed_at', type: 'timestamptz', nullable: true })
  consumedAt!: Date | null;

  /** ADE: the serial whose signed MachineInfo got this challenge; Authenticate must come from it. */
  @Column({ name: 'ade_serial', type: 'text', nullable: true })
  adeSerial!: string | null;

  @Column({ name: 'issued_certificate_sha256', type: 'char', length: 64, nullable: true })
  issuedCertificateSha256!: string | null;

  /** The UDID the certificate first authenticated as: it may never speak for another phone. */
  @Column({ name: 'device_udid', type: 'text', nullable: true })
  deviceUdid!: string | null;

  /** Set by an officer: the certificate is refused from then on. */
  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
