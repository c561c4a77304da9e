import { X509Certificate } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { type Actor, AuditService } from '#libs/audit';
import { APP_CONFIG, decryptionKeys, type AppConfig } from '#libs/config';
import { isUniqueViolation, TenantCaEntity, TenantEntity } from '#libs/persistence';
import { NotFoundDomainException } from '#libs/platform';
import { decryptSecret, encryptSecret } from '#libs/apple';
import { generateTenantCa } from '#libs/apple';

export interface TenantCa {
  certificatePem: string;
  privateKeyPem: string;
}

/** Binds each encrypted key to its tenant and purpose: a ciphertext copied elsewhere does not decrypt. */
export const keyContext = (tenantId: string, purpose: string) => `rempart:${purpose}:${tenantId}`;

/** Each tenant's CA, generated on first use; it issues profile-signing and device certificates. */
@Injectable()
export class TenantCaService {
  private readonly cache = new Map<string, TenantCa>();
  private readonly loading = new Map<string, Promise<TenantCa>>();

  constructor(
    @InjectRepository(TenantCaEntity) private readonly cas: Repository<TenantCaEntity>,
    @InjectRepository(TenantEntity) private readonly tenants: Repository<TenantEntity>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async get(tenantId: string): Promise<TenantCa> {
    const cached = this.cache.get(tenantId);
    if (cached) return cached;
    // Phones enrolling together ask at once; one load (or generation) serves them all.
    let loading = this.loading.get(tenantId);
    if (!loading) {
      loading = this.load(tenantId).finally(() => this.loading.delete(tenantId));
      this.loading.set(tenantId, loading);
    }
    return loading;
  }

  private async load(tenantId: string): Promise<TenantCa> {
    const row = (await this.cas.findOne({ where: { tenantId } })) ?? (await this.generate(tenantId));
    const ca = {
      certificatePem: row.certificatePem,
      privateKeyPem: decryptSecret(
        row.encryptedPrivateKey,
        decryptionKeys(this.config),
        keyContext(tenantId, 'tenant-ca-key'),
      ),
    };
    this.cache.set(tenantId, ca);
    return ca;
  }

  private async generate(tenantId: string): Promise<TenantCaEntity> {
    const tenant = await this.tenants.findOne({ where: { id: tenantId } });
    if (!tenant) throw new NotFoundDomainException('tenant', tenantId);
    const ca = await generateTenantCa({ tenantName: tenant.name, tenantSlug: tenant.slug });
    const row = this.cas.create({
      tenantId,
      certificatePem: ca.caCertificatePem,
      encryptedPrivateKey: encryptSecret(
        ca.caPrivateKeyPem,
        this.config.masterKey,
        keyContext(tenantId, 'tenant-ca-key'),
      ),
      notAfter: new Date(new X509Certificate(ca.caCertificatePem).validTo),
    });
    // Generated on first use (an officer's first publication or enrollment, a phone's first SCEP
    // request), so the actor is the system; the event records which CA now signs for the tenant.
    const actor: Actor = { tenantId, officerId: null, label: 'system:first-use' };
    const certificate = new X509Certificate(ca.caCertificatePem);
    try {
      // insert, not save: save() would overwrite a CA another process created meanwhile, and phones
      // that were handed the first one could no longer reach SCEP.
      await this.dataSource.transaction(async (manager) => {
        await manager.getRepository(TenantCaEntity).insert(row);
        await this.audit.record(manager, actor, {
          action: 'tenant-ca.generate',
          targetType: 'tenant-ca',
          targetId: tenantId,
          after: {
            subject: certificate.subject,
            sha256: certificate.fingerprint256,
            notAfter: row.notAfter.toISOString(),
          },
        });
      });
      return row;
    } catch (error) {
      // Another process generated it at the same moment: use theirs.
      if (isUniqueViolation(error)) return this.cas.findOneOrFail({ where: { tenantId } });
      throw error;
    }
  }
}
