import { Injectable, Logger } from '@nestjs/common';
import { DataSource, IsNull, Not, type EntityManager } from 'typeorm';
import { AuditService, type Actor } from '#libs/audit';
import { EnrollmentsService } from '#libs/fleet';
import { DeviceEntity, ScepChallengeEntity, type EnrollmentEntity } from '#libs/persistence';
import { DomainException, NotFoundDomainException } from '#libs/platform';
import { MdmCommandsService } from './mdm-commands.service.js';
import { MdmCertificateRevoked, MdmRequestRefused } from './mdm-request-refused.js';

/** What an officer sees of a device after a release or a revocation. */
export interface DeviceIdentityChange {
  udid: string;
  status: DeviceEntity['status'];
  certificateSha256: string | null;
  cancelledCommands: number;
  /** After a revocation: SHA-256 of each certificate revoked. */
  revokedCertificates?: string[];
}

/**
 * Which certificate speaks for which phone. One certificate binds one UDID (the first it
 * authenticated as, recorded with the certificate); an enrolled UDID moves to another certificate
 * only after the phone's CheckOut or an officer's release; an officer can revoke a certificate.
 */
@Injectable()
export class DeviceCertificatesService {
  private readonly logger = new Logger(DeviceCertificatesService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly enrollments: EnrollmentsService,
    private readonly commands: MdmCommandsService,
    private readonly audit: AuditService,
  ) {}

  /**
   * The checks of an Authenticate, in the caller's transaction, before anything is written: the
   * certificate was issued by our SCEP and not revoked, its enrollment is neither revoked nor
   * expired, the certificate has not spoken for another UDID, and the UDID is not bound to another
   * certificate while enrolled. Returns the enrollment and the device row (locked) if there is one;
   * `bind` then records the UDID on the certificate. Every refusal is logged and changes nothing.
   */
  async checkAuthenticate(
    manager: EntityManager,
    tenant: { id: string; slug: string },
    certificateSha256: string,
    udid: string,
  ): Promise<{ enrollment: EnrollmentEntity; record: ScepChallengeEntity; existing: DeviceEntity | null }> {
    const refuse = (code: string, message: string) => {
      this.logger.warn({ tenant: tenant.slug, udid, code }, `Authenticate refused: ${message}`);
      return new MdmRequestRefused(code, message);
    };
    const issued = await this.enrollments.issuedCertificate(tenant.id, certificateSha256, manager);
    if (!issued) {
      throw refuse('CERTIFICATE_NOT_ENROLLED', 'the identity certificate was not issued for an enrollment');
    }
    const { record, enrollment } = issued;
    if (record.revokedAt) {
      this.logger.warn({ tenant: tenant.slug, udid }, 'Authenticate with a revoked certificate');
      throw new MdmCertificateRevoked();
    }
    if (enrollment.revokedAt) throw refuse('ENROLLMENT_REVOKED', 'the enrollment was revoked');
    if (enrollment.expiresAt <= new Date()) throw refuse('ENROLLMENT_EXPIRED', 'the enrollment has expired');
    if (record.deviceUdid !== null && record.deviceUdid !== udid) {
      throw refuse(
        'CERTIFICATE_BOUND_TO_ANOTHER_DEVICE',
        'this certificate already speaks for another device; it cannot authenticate as a second one',
      );
    }
    const existing = await manager
      .getRepository(DeviceEntity)
      .createQueryBuilder('d')
      .setLock('pessimistic_write')
      .where('d.tenant_id = :tenantId AND d.udid = :udid', { tenantId: tenant.id, udid })
      .getOne();
    if (
      existing &&
      existing.status !== 'unenrolled' &&
      existing.identityCertificateSha256 !== null &&
      existing.identityCertificateSha256 !== certificateSha256
    ) {
      throw refuse(
        'DEVICE_BOUND_TO_ANOTHER_CERTIFICATE',
        `device ${udid} is enrolled with another certificate; it moves only after its CheckOut or an officer's release`,
      );
    }
    return { enrollment, record, existing };
  }

  /** Records the UDID a certificate speaks for (once: checkAuthenticate refuses any other). */
  async bind(manager: EntityManager, record: ScepChallengeEntity, udid: string): Promise<void> {
    if (record.deviceUdid === udid) return;
    await manager.getRepository(ScepChallengeEntity).update({ id: record.id }, { deviceUdid: udid });
  }

  /** Whether an officer revoked this certificate (asked only on the refusal path). */
  async isRevoked(manager: EntityManager, tenantId: string, certificateSha256: string): Promise<boolean> {
    return manager.getRepository(ScepChallengeEntity).exists({
      where: { tenantId, issuedCertificateSha256: certificateSha256, revokedAt: Not(IsNull()) },
    });
  }

  /**
   * An officer frees a phone's record from its certificate (a phone wiped or replaced without
   * CheckOut): the device is unenrolled, its open commands cancelled, and its UDID may authenticate
   * with a new certificate. The old certificate is not revoked (it may speak for this UDID only);
   * revokeCertificate shuts it out, before or after a release.
   */
  release(actor: Actor, udid: string): Promise<DeviceIdentityChange> {
    return this.unbind(actor, udid, 'device.release');
  }

  /**
   * An officer revokes the certificates of a phone (every one that speaks for its UDID): every later
   * request signed with one is refused with 401, and the device is unenrolled as by a release.
   */
  revokeCertificate(actor: Actor, udid: string): Promise<DeviceIdentityChange> {
    return this.unbind(actor, udid, 'device.certificate.revoke');
  }

  private unbind(
    actor: Actor,
    udid: string,
    action: 'device.release' | 'device.certificate.revoke',
  ): Promise<DeviceIdentityChange> {
    return this.dataSource.transaction(async (manager) => {
      const device = await manager
        .getRepository(DeviceEntity)
        .createQueryBuilder('d')
        .setLock('pessimistic_write')
        .where('d.tenant_id = :tenantId AND d.udid = :udid', { tenantId: actor.tenantId, udid })
        .getOne();
      if (!device) throw new NotFoundDomainException('device', udid);
      const certificateSha256 = device.identityCertificateSha256;
      let revokedCertificates: string[] = [];
      if (action === 'device.certificate.revoke') {
        revokedCertificates = await this.revokeCertificatesOf(
          manager,
          actor.tenantId,
          udid,
          certificateSha256,
        );
        if (revokedCertificates.length === 0) {
          throw new DomainException(
            'NO_CERTIFICATE_TO_REVOKE',
            `device ${udid} has no certificate left to revoke`,
            409,
          );
        }
      }
      await manager.getRepository(DeviceEntity).update(
        { id: device.id, tenantId: actor.tenantId },
        {
          status: 'unenrolled',
          unenrolledAt: device.status === 'unenrolled' ? device.unenrolledAt : new Date(),
          identityCertificateSha256: null,
          pushToken: null,
          pushMagic: null,
        },
      );
      const cancelledCommands = await this.commands.cancelOpen(manager, actor.tenantId, device.id);
      await this.audit.record(manager, actor, {
        action,
        targetType: 'device',
        targetId: udid,
        before: { status: device.status, certificateSha256 },
        after: {
          status: 'unenrolled',
          certificateSha256: null,
          cancelledCommands,
          ...(action === 'device.certificate.revoke' ? { revokedCertificates } : {}),
        },
      });
      this.logger.log({ tenant: actor.tenantId, udid, action, cancelledCommands }, 'device identity changed');
      return {
        udid,
        status: 'unenrolled' as const,
        certificateSha256: null,
        cancelledCommands,
        ...(action === 'device.certificate.revoke' ? { revokedCertificates } : {}),
      };
    });
  }

  /**
   * Revokes every certificate that speaks for this UDID (the bound one, and one a release left
   * unrevoked), so that revoking still works after a release. Returns their SHA-256.
   */
  private async revokeCertificatesOf(
    manager: EntityManager,
    tenantId: string,
    udid: string,
    boundSha256: string | null,
  ): Promise<string[]> {
    // For an UPDATE, TypeORM's PostgreSQL driver answers [rows, rowCount].
    const [rows] = (await manager.query(
      `UPDATE scep_challenges SET revoked_at = now()
       WHERE tenant_id = $1 AND revoked_at IS NULL
         AND (device_udid = $2 OR issued_certificate_sha256 = $3)
       RETURNING issued_certificate_sha256 AS sha256`,
      [tenantId, udid, boundSha256 ?? ''],
    )) as [Array<{ sha256: string }>, number];
    return rows.map((row) => row.sha256);
  }
}
