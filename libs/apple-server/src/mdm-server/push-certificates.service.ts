import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, IsNull, Repository } from 'typeorm';
import { AuditService, type Actor } from '#libs/audit';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { PushCertificateEntity } from '#libs/persistence';
import { DomainException } from '#libs/platform';
import { parsePushCertificate, PushCertificateError } from '#libs/apple';
import { decryptSecret, encryptSecret } from '#libs/apple';
import { keyContext } from '../tenant-signing/tenant-ca.service.js';

/** Warn this long before the APNs certificate expires: renewing it at Apple takes an officer's time. */
export const PUSH_CERTIFICATE_WARNING_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface PushCertificateView {
  topic: string;
  notAfter: Date;
  expiresInDays: number;
  /** Set within PUSH_CERTIFICATE_WARNING_DAYS of expiry (and after it). */
  warning: string | null;
}

export interface PushCredentialsView {
  topic: string;
  notAfter: Date;
  certificatePem: string;
  privateKeyPem: string;
}

/** Each tenant's APNs MDM push certificate; its topic goes into enrollment profiles. */
@Injectable()
export class PushCertificatesService {
  private readonly logger = new Logger(PushCertificatesService.name);

  constructor(
    @InjectRepository(PushCertificateEntity) private readonly certificates: Repository<PushCertificateEntity>,
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async upload(
    actor: Actor,
    input: { certificatePem: string; privateKeyPem: string } | { pkcs12Base64: string; password: string },
  ): Promise<PushCertificateView> {
    let parsed;
    try {
      parsed = parsePushCertificate(input, new Date(), {
        allowUntrustedIssuer: this.config.APNS_ALLOW_UNTRUSTED_PUSH_CERTIFICATES,
      });
    } catch (error) {
      if (error instanceof PushCertificateError) throw new DomainException(error.code, error.message, 400);
      throw error;
    }
    const saved = await this.dataSource.transaction(async (manager) => {
      const repo = manager.getRepository(PushCertificateEntity);
      const previous = await repo.findOne({ where: { tenantId: actor.tenantId, retiredAt: IsNull() } });
      if (previous && previous.topic !== parsed.topic) {
        // Enrolled phones keep the topic of their enrollment profile: a new topic orphans them all.
        throw new DomainException(
          'PUSH_TOPIC_CHANGED',
          `topic ${parsed.topic} differs from the current ${previous.topic}; renew the same certificate at Apple instead`,
          409,
        );
      }
      if (previous) await repo.update({ id: previous.id }, { retiredAt: new Date() });
      const entity = await repo.save(
        repo.create({
          tenantId: actor.tenantId,
          topic: parsed.topic,
          certificatePem: parsed.certificatePem,
          encryptedPrivateKey: encryptSecret(
            parsed.privateKeyPem,
            this.config.masterKey,
            keyContext(actor.tenantId, 'apns-key'),
          ),
          notAfter: parsed.notAfter,
          retiredAt: null,
        }),
      );
      await this.audit.record(manager, actor, {
        action: previous ? 'push_certificate.renew' : 'push_certificate.upload',
        targetType: 'push_certificate',
        targetId: parsed.topic,
        before: previous ? { notAfter: previous.notAfter.toISOString() } : null,
        after: { topic: parsed.topic, notAfter: parsed.notAfter.toISOString() },
      });
      return entity;
    });
    const view = this.view(saved);
    if (view.warning) this.logger.warn({ tenant: actor.tenantId, topic: view.topic }, view.warning);
    return view;
  }

  /**
   * What the push leg needs to open a TLS connection to APNs: the active certificate and its key,
   * decrypted. Null when the tenant has uploaded none.
   */
  async credentials(tenantId: string): Promise<PushCredentialsView | null> {
    const active = await this.active(tenantId);
    if (!active) return null;
    return {
      topic: active.topic,
      notAfter: active.notAfter,
      certificatePem: active.certificatePem,
      privateKeyPem: decryptSecret(
        active.encryptedPrivateKey,
        this.config.masterKey,
        keyContext(tenantId, 'apns-key'),
      ),
    };
  }

  async active(tenantId: string): Promise<PushCertificateEntity | null> {
    return this.certificates.findOne({ where: { tenantId, retiredAt: IsNull() } });
  }

  /** Every active certificate that expires within the warning window (or has expired), with its warning. */
  async expiringSoon(now = new Date()): Promise<Array<PushCertificateView & { tenantId: string }>> {
    const limit = new Date(now.getTime() + PUSH_CERTIFICATE_WARNING_DAYS * DAY_MS);
    const rows = await this.certificates
      .createQueryBuilder('c')
      .where('c.retired_at IS NULL AND c.not_after <= :limit', { limit })
      .getMany();
    return rows.map((row) => ({ tenantId: row.tenantId, ...this.view(row, now) }));
  }

  /**
   * Before an iPhone enrollment link is handed out: without a push certificate the profile behind it
   * cannot be built (its MDM payload needs the topic), so the link would only fail on the phone.
   */
  async requireForEnrollment(tenantId: string): Promise<void> {
    if (await this.active(tenantId)) return;
    throw new DomainException(
      'NO_PUSH_CERTIFICATE',
      'iPhones cannot enroll before the organisation has an APNs push certificate: an admin uploads one with PUT /v1/apple/push-certificate, then create the enrollment again',
      409,
    );
  }

  async describe(tenantId: string): Promise<PushCertificateView> {
    const active = await this.active(tenantId);
    if (!active)
      throw new DomainException('NO_PUSH_CERTIFICATE', 'no APNs push certificate uploaded yet', 404);
    return this.view(active);
  }

  view(entity: PushCertificateEntity, now = new Date()): PushCertificateView {
    const expiresInDays = Math.floor((entity.notAfter.getTime() - now.getTime()) / DAY_MS);
    let warning: string | null = null;
    if (expiresInDays < 0)
      warning = `APNs certificate ${entity.topic} expired on ${entity.notAfter.toISOString()}: phones cannot be woken`;
    else if (expiresInDays <= PUSH_CERTIFICATE_WARNING_DAYS) {
      warning = `APNs certificate ${entity.topic} expires in ${expiresInDays} days (${entity.notAfter.toISOString()}); renew it at Apple`;
    }
    return { topic: entity.topic, notAfter: entity.notAfter, expiresInDays, warning };
  }
}
