import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { EnrollmentsService } from '#libs/fleet';
import type { EnrollmentEntity, TenantEntity } from '#libs/persistence';
import { DomainException } from '#libs/platform';
import { buildEnrollmentProfile } from '#libs/apple';
import { ScepError, ScepServer, type ScepResponse } from '#libs/apple';
import { SigningIdentitiesService } from '../tenant-signing/signing-identities.service.js';
import { TenantCaService } from '../tenant-signing/tenant-ca.service.js';
import { AppleMdmService } from './apple-mdm.service.js';
import { PhoneFacingNotFound } from './mdm-request-refused.js';
import { PushCertificatesService } from './push-certificates.service.js';

/** Enrollment profile downloads and the SCEP server that issues device identities. */
@Injectable()
export class AppleEnrollmentService {
  private readonly logger = new Logger(AppleEnrollmentService.name);
  private readonly scep = new ScepServer({ defaultValidityDays: 365 });

  constructor(
    private readonly enrollments: EnrollmentsService,
    private readonly pushCertificates: PushCertificatesService,
    private readonly signing: SigningIdentitiesService,
    private readonly tenantCa: TenantCaService,
    private readonly mdm: AppleMdmService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The signed enrollment profile behind an enrollUrl, with a fresh SCEP challenge bound to it. */
  async enrollmentProfile(token: string): Promise<Buffer> {
    const enrollment = await this.enrollments.usableByToken(token).catch((error: unknown) => {
      if (error instanceof DomainException && error.code === 'ENROLLMENT_UNKNOWN')
        throw new PhoneFacingNotFound();
      throw error;
    });
    if (enrollment.platform !== 'ios') {
      throw new DomainException('NOT_AN_IOS_ENROLLMENT', 'this enrollment is for Android phones', 404);
    }
    return this.signedProfile(enrollment.tenant, enrollment);
  }

  /**
   * The signed enrollment profile for one phone of `enrollment`: the tenant CA, SCEP with a new
   * one-time challenge (bound to `adeSerial` for a phone coming through Setup Assistant), and MDM.
   */
  async signedProfile(
    tenant: TenantEntity,
    enrollment: EnrollmentEntity,
    adeSerial?: string,
  ): Promise<Buffer> {
    const push = await this.pushCertificates.active(tenant.id);
    if (!push)
      throw new DomainException(
        'NO_PUSH_CERTIFICATE',
        'the organisation has no APNs push certificate yet',
        409,
      );
    // The tenant's id, not its slug: see AppleMdmService.tenant().
    const base = `${this.config.MDM_PUBLIC_URL.replace(/\/$/, '')}/mdm/${tenant.id}`;
    const ca = await this.tenantCa.get(tenant.id);
    const challenge = await this.enrollments.issueChallenge(enrollment, adeSerial);
    const profile = buildEnrollmentProfile({
      tenantSlug: tenant.slug,
      organization: tenant.name,
      caCertificatePem: ca.certificatePem,
      scep: { url: `${base}/scep`, challenge, subjectCommonName: `rempart-${enrollment.id.slice(0, 8)}` },
      mdm: {
        serverUrl: `${base}/server`,
        checkInUrl: `${base}/checkin`,
        topic: push.topic,
        signMessage: true,
      },
    });
    const { signer } = await this.signing.signer(tenant.id);
    return signer.sign(profile);
  }

  /**
   * GET/POST .../scep?operation=...: GetCACaps, GetCACert, PKIOperation. A request the SCEP server
   * cannot read at all (no operation, no message, not base64, not a pkiMessage) is the stranger's
   * 4xx, with a `SCEP_` code; only a broken tenant CA stays a 500.
   */
  async scepRequest(
    tenantId: string,
    query: Record<string, string | undefined>,
    body?: Buffer,
  ): Promise<ScepResponse> {
    try {
      return await this.answerScep(tenantId, query, body);
    } catch (error) {
      if (error instanceof ScepError && error.httpStatus < 500) {
        throw new DomainException(`SCEP_${error.code}`, error.message, error.httpStatus === 413 ? 413 : 400);
      }
      throw error;
    }
  }

  private async answerScep(
    tenantId: string,
    query: Record<string, string | undefined>,
    body?: Buffer,
  ): Promise<ScepResponse> {
    const tenant = await this.mdm.tenant(tenantId);
    const { operation, message } = this.scep.parseOperationRequest(query, body);
    const ca = await this.tenantCa.get(tenant.id);
    switch (operation) {
      case 'GetCACaps':
        return this.scep.getCaCaps();
      case 'GetCACert':
        return this.scep.getCaCert(ca);
      case 'PKIOperation': {
        let challengeId: string | undefined;
        const response = await this.scep.pkiOperation(message!, ca, async (request) => {
          const verdict = await this.enrollments.consumeChallenge(tenant.id, request.challengePassword);
          if (!verdict.ok) {
            this.logger.warn(
              { tenant: tenantId, transactionId: request.transactionId },
              `SCEP request refused: ${verdict.reason}`,
            );
            return { issue: false, failInfo: 'badRequest', reason: verdict.reason };
          }
          challengeId = verdict.challengeId;
          return { issue: true };
        });
        if (response.outcome.status !== 'SUCCESS') {
          this.logger.warn(
            {
              tenant: tenantId,
              failInfo: response.outcome.failInfo,
              transactionId: response.outcome.transactionId,
            },
            `SCEP request failed: ${response.outcome.reason ?? response.outcome.failInfo}`,
          );
        }
        if (response.outcome.status === 'SUCCESS' && challengeId && response.outcome.certificatePem) {
          const der = Buffer.from(
            response.outcome.certificatePem.replace(/-----[^-]+-----|\s/g, ''),
            'base64',
          );
          await this.enrollments.bindIssuedCertificate(
            challengeId,
            createHash('sha256').update(der).digest('hex'),
          );
        }
        return response;
      }
      default:
        throw new DomainException(
          'SCEP_UNKNOWN_OPERATION',
          `unknown SCEP operation ${JSON.stringify(operation)}`,
          400,
        );
    }
  }
}
