import { X509Certificate } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, IsNull, Repository, type EntityManager } from 'typeorm';
import { AuditService, type Actor } from '#libs/audit';
import { APP_CONFIG, decryptionKeys, type AppConfig } from '#libs/config';
import {
  isUniqueViolation,
  SigningIdentityEntity,
  TenantEntity,
  TenantScopedRepository,
} from '#libs/persistence';
import { DomainException, NotFoundDomainException } from '#libs/platform';
import { importSigningIdentity, type SigningIdentityInput } from '#libs/apple';
import { decryptSecret, encryptSecret } from '#libs/apple';
import { SigningIdentityError } from '#libs/apple';
import { issueProfileSigningCertificate } from '#libs/apple';
import { CmsSigner } from '#libs/apple';
import { keyContext, TenantCaService } from './tenant-ca.service.js';

@Injectable()
export class SigningIdentityRepository extends TenantScopedRepository<SigningIdentityEntity> {
  constructor(@InjectRepository(SigningIdentityEntity) repository: Repository<SigningIdentityEntity>) {
    super(repository);
  }

  active(tenantId: string, manager?: EntityManager): Promise<SigningIdentityEntity | null> {
    return this.findOne(tenantId, { retiredAt: IsNull() }, manager);
  }
}

export interface SigningIdentityView {
  id: string;
  origin: 'generated' | 'imported';
  subject: string;
  notAfter: Date;
  fingerprintSha256: string;
  caSubject: string;
}

/**
 * Each tenant's profile-signing identity: generated on first use (a tenant CA and a signing
 * certificate it issues) or imported (PEM or PKCS#12). Private keys are encrypted at rest with
 * REMPART_MASTER_KEY; decrypted signers are kept in memory per identity.
 */
@Injectable()
export class SigningIdentitiesService {
  private readonly signers = new Map<string, CmsSigner>();

  constructor(
    private readonly identities: SigningIdentityRepository,
    @InjectRepository(TenantEntity) private readonly tenants: Repository<TenantEntity>,
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly tenantCa: TenantCaService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The tenant's active identity, generated now if it has none. */
  async active(tenantId: string): Promise<SigningIdentityEntity> {
    const existing = await this.identities.active(tenantId);
    if (existing) return existing;
    const tenant = await this.tenants.findOne({ where: { id: tenantId } });
    if (!tenant) throw new NotFoundDomainException('tenant', tenantId);
    const ca = await this.tenantCa.get(tenantId);
    const generated = await issueProfileSigningCertificate({
      caCertificatePem: ca.certificatePem,
      caPrivateKeyPem: ca.privateKeyPem,
      tenantName: tenant.name,
      tenantSlug: tenant.slug,
    });
    try {
      return await this.dataSource.transaction(async (manager) => {
        const entity = await this.identities.insert(
          tenantId,
          {
            origin: 'generated',
            caCertificatePem: ca.certificatePem,
            certificatePem: generated.certificatePem,
            chainPem: [],
            encryptedPrivateKey: encryptSecret(
              generated.privateKeyPem,
              this.config.masterKey,
              keyContext(tenantId, 'profile-signing-key'),
            ),
            subject: new X509Certificate(generated.certificatePem).subject.replace(/\n/g, ', '),
            notAfter: new Date(new X509Certificate(generated.certificatePem).validTo),
            retiredAt: null,
          },
          manager,
        );
        await this.audit.record(
          manager,
          { tenantId, officerId: null, label: 'system' },
          {
            action: 'signing_identity.generate',
            targetType: 'signing_identity',
            targetId: entity.id,
            after: { subject: entity.subject, notAfter: entity.notAfter.toISOString() },
          },
        );
        return entity;
      });
    } catch (error) {
      // Another process generated one at the same moment: use theirs.
      if (isUniqueViolation(error)) return (await this.identities.active(tenantId))!;
      throw error;
    }
  }

  /** A CMS signer for the tenant's active identity, and the identity's id. */
  async signer(tenantId: string): Promise<{ signer: CmsSigner; identityId: string }> {
    const identity = await this.active(tenantId);
    let signer = this.signers.get(identity.id);
    if (!signer) {
      signer = new CmsSigner({
        certificatePem: identity.certificatePem,
        privateKeyPem: decryptSecret(
          identity.encryptedPrivateKey,
          decryptionKeys(this.config),
          keyContext(tenantId, 'profile-signing-key'),
        ),
        chainPem: [...identity.chainPem, identity.caCertificatePem],
      });
      this.signers.set(identity.id, signer);
    }
    return { signer, identityId: identity.id };
  }

  /** Replaces the tenant's identity with an imported one; the previous one is retired, not deleted. */
  async import(actor: Actor, input: SigningIdentityInput): Promise<SigningIdentityView> {
    let imported;
    try {
      imported = importSigningIdentity(input);
    } catch (error) {
      if (error instanceof SigningIdentityError) throw new DomainException(error.code, error.message, 400);
      throw error;
    }
    const caCertificatePem = imported.chainPem.length
      ? imported.chainPem[imported.chainPem.length - 1]
      : imported.certificatePem;
    const entity = await this.dataSource.transaction(async (manager) => {
      const previous = await this.identities.active(actor.tenantId, manager);
      if (previous)
        await this.identities.update(actor.tenantId, { id: previous.id }, { retiredAt: new Date() }, manager);
      const created = await this.identities.insert(
        actor.tenantId,
        {
          origin: 'imported',
          caCertificatePem,
          certificatePem: imported.certificatePem,
          chainPem: imported.chainPem.filter((pem) => pem !== caCertificatePem),
          encryptedPrivateKey: encryptSecret(
            imported.privateKeyPem,
            this.config.masterKey,
            keyContext(actor.tenantId, 'profile-signing-key'),
          ),
          subject: imported.subject,
          notAfter: imported.notAfter,
          retiredAt: null,
        },
        manager,
      );
      await this.audit.record(manager, actor, {
        action: 'signing_identity.import',
        targetType: 'signing_identity',
        targetId: created.id,
        before: previous ? { subject: previous.subject, origin: previous.origin } : null,
        after: {
          subject: created.subject,
          notAfter: created.notAfter.toISOString(),
          fingerprintSha256: imported.fingerprintSha256,
        },
      });
      return created;
    });
    return this.view(entity);
  }

  async describe(tenantId: string): Promise<SigningIdentityView> {
    return this.view(await this.active(tenantId));
  }

  async caCertificatePem(tenantId: string): Promise<string> {
    return (await this.active(tenantId)).caCertificatePem;
  }

  private view(entity: SigningIdentityEntity): SigningIdentityView {
    const certificate = new X509Certificate(entity.certificatePem);
    return {
      id: entity.id,
      origin: entity.origin,
      subject: entity.subject,
      notAfter: entity.notAfter,
      fingerprintSha256: certificate.fingerprint256,
      caSubject: new X509Certificate(entity.caCertificatePem).subject.replace(/\n/g, ', '),
    };
  }
}
