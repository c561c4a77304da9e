import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A tenant's profile-signing identity: generated on first use (tenant CA + signing certificate) or
 * imported. The private key is stored encrypted with REMPART_MASTER_KEY. A replaced identity stays
 * (retired) so that versions signed with it keep their provenance.
 */
@Entity('signing_identities')
@Index('uq_signing_identities_tenant_active', ['tenantId'], { unique: true, where: 'retired_at IS NULL' })
export class SigningIdentityEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ type: 'text' })
  origin!: 'generated' | 'imported';

  /** The CA that phones trust for this tenant's profiles (the top of the chain for imported identities). */
  @Column({ name: 'ca_certificate_pem', type: 'text' })
  caCertificatePem!: string;

  @Column({ name: 'certificate_pem', type: 'text' })
  certificatePem!: string;

  /** Intermediate certificates between the signing certificate and the CA, PEM, in order. */
  @Column({ name: 'chain_pem', type: 'text', array: true, default: () => "'{}'" })
  chainPem!: string[];

  @Column({ name: 'encrypted_private_key', type: 'text' })
  encryptedPrivateKey!: string;

  @Column({ type: 'text' })
  subject!: string;

  @Column({ name: 'not_after', type: 'timestamptz' })
  notAfter!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'retired_at', type: 'timestamptz', nullable: true })
  retiredAt!: Date | null;
}
