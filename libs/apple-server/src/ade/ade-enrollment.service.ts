import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { X509Certificate } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AdeInputError, parseDeviceCaPem, verifyMachineInfo } from '#libs/apple';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { AdeDeviceEntity, EnrollmentEntity, TenantEntity } from '#libs/persistence';
import { DomainException } from '#libs/platform';
import { AppleEnrollmentService } from '../mdm-server/apple-enrollment.service.js';
import { AdeAccountRepository, sha256Hex } from './ade-account.repository.js';

/** Apple's iPhone Device CA as shipped in the repository (vendor/apple-ca/, see vendor/README.md). */
const SHIPPED_DEVICE_CA = join('vendor', 'apple-ca', 'apple-iphone-device-ca.pem');

function shippedDeviceCaPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, SHIPPED_DEVICE_CA);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error(`${SHIPPED_DEVICE_CA} not found above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/**
 * Setup Assistant's request at the ADE URL (`/mdm/ade/{token}`): a MachineInfo signed by the
 * phone's Apple device identity. Three checks, because a valid signature alone is not device
 * attestation (apple-ade.md §4.3): the URL token names the tenant, the signature chains (by
 * signature) to Apple's iPhone Device CA, and the serial is one of the tenant's synced ABM devices.
 * The answer is the tenant's enrollment profile, its SCEP challenge bound to that serial.
 */
@Injectable()
export class AdeEnrollmentService implements OnModuleInit {
  private readonly logger = new Logger(AdeEnrollmentService.name);
  private deviceCas: X509Certificate[] = [];

  constructor(
    private readonly accounts: AdeAccountRepository,
    private readonly enrollment: AppleEnrollmentService,
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Reads the device CA at start: a missing or unreadable APPLE_DEVICE_CA_FILE stops the process. */
  onModuleInit() {
    const file = this.config.APPLE_DEVICE_CA_FILE || shippedDeviceCaPath();
    try {
      this.deviceCas = parseDeviceCaPem(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new Error(`APPLE_DEVICE_CA_FILE ${file}: ${(error as Error).message}`, { cause: error });
    }
  }

  async enrollmentProfile(urlToken: string, machineInfoDer: Buffer): Promise<Buffer> {
    const account = await this.accounts.findByEnrollTokenHash(sha256Hex(urlToken));
    if (!account) {
      this.logger.warn('ADE enrollment with an unknown URL token');
      throw new DomainException(
        'ADE_URL_UNKNOWN',
        'this ADE enrollment URL is not known: the phone must be assigned in Apple Business Manager to a Rempart MDM server',
        404,
      );
    }
    let serial: string;
    try {
      serial = verifyMachineInfo(machineInfoDer, this.deviceCas).serial;
    } catch (error) {
      if (!(error instanceof AdeInputError)) throw error;
      this.logger.warn(
        { tenantId: account.tenantId, code: error.code },
        `ADE enrollment refused: ${error.message}`,
      );
      throw new DomainException(
        error.code,
        error.message,
        error.code === 'MACHINE_INFO_UNTRUSTED' ? 403 : 400,
      );
    }
    const device = await this.dataSource
      .getRepository(AdeDeviceEntity)
      .findOne({ where: { tenantId: account.tenantId, serialNumber: serial } });
    if (!device || device.assignmentStatus === 'removed') {
      this.logger.warn(
        { tenantId: account.tenantId, serial },
        "ADE enrollment from a serial that is not one of the tenant's ABM devices",
      );
      throw new DomainException(
        'ADE_SERIAL_UNKNOWN',
        `serial ${serial} is not assigned to this organisation's MDM server in Apple Business Manager: assign it there, then sync (POST /v1/apple/ade/sync)`,
        403,
      );
    }
    if (!account.enrollmentId) {
      throw new DomainException(
        'ADE_NO_DEFAULT_GROUP',
        'no default group for ADE phones yet: PATCH /v1/apple/ade {defaultGroup}',
        409,
      );
    }
    const enrollment = await this.dataSource
      .getRepository(EnrollmentEntity)
      .findOneByOrFail({ id: account.enrollmentId, tenantId: account.tenantId });
    const tenant = await this.dataSource
      .getRepository(TenantEntity)
      .findOneByOrFail({ id: account.tenantId });
    this.logger.log({ tenant: tenant.slug, serial }, 'ADE enrollment profile served');
    return this.enrollment.signedProfile(tenant, enrollment, serial);
  }
}
