import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A tenant's APNs MDM push certificate. Replaced ones are retired, not deleted. */
@Entity('push_certificates')
@Index('uq_push_certificates_tenant_active', ['tenantId'], { unique: true, where: 'retired_at IS NULL' })
export class PushCertificateEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  /** The certificate's UID: `com.apple.mgmt.External.<uuid>`; written into enrollment profiles. */
  @Column({ type: 'text' })
  topic!: string;

  @Column({ name: 'certificate_pem', type: 'text' })
  certificatePem!: string;

  @Column({ name: 'encrypted_private_key', type: 'text' })
  encryptedPrivateKey!: string;

  @Column({ name: 'not_after', type: 'timestamptz' })
  notAfter!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'retired_at', type: 'timestamptz', nullable: true })
  retiredAt!: Date | null;
}
