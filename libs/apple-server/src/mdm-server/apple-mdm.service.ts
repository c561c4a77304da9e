import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository, type EntityManager } from 'typeorm';
import { ComplianceEvaluator, InventoryFactsRecorder, type InventoryKind } from '#libs/compliance';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import {
  AdeDeviceEntity,
  DeviceAppEntity,
  DeviceEntity,
  DeviceProfileEntity,
  PolicyVersionEntity,
  TenantEntity,
  type MdmCommandEntity,
} from '#libs/persistence';
import { DeliveryTrackerService } from '#libs/rollouts';
import {
  authenticateMdmRequest,
  buildCommandPlist,
  DEFAULT_DEVICE_INFORMATION_QUERIES,
  extractDeviceInformation,
  extractInstalledApplications,
  extractProfileList,
  extractRestrictions,
  extractSecurityInfo,
  MdmAuthError,
  MdmProtocolError,
  parseCheckinMessage,
  parseCommandReport,
  TrustedCertificateCache,
  type AuthenticatedMdmRequest,
  type CommandReport,
  type MdmCommandRequest,
} from '#libs/apple';
import { isUUID } from 'class-validator';
import { TenantCaService } from '../tenant-signing/tenant-ca.service.js';
import { DeviceCertificatesService } from './device-certificates.service.js';
import { MdmCommandsService, type NewCommand } from './mdm-commands.service.js';
import { MdmCertificateRevoked, MdmRequestRefused, PhoneFacingNotFound } from './mdm-request-refused.js';
import { SignedRequestReplayGuard } from './signed-request-replay-guard.js';

/** What a phone is asked right after it enrolls: who it is, what it has. */
const FIRST_INVENTORY: NewCommand[] = [
  { requestType: 'DeviceInformation' },
  { requestType: 'ProfileList' },
  { requestType: 'InstalledApplicationList' },
];

/** How precisely `last_seen_at` follows Idle check-ins (freshness is judged in hours, not seconds). */
const LAST_SEEN_RESOLUTION_SECONDS = 60;

export interface MdmRequest {
  /** From the phone URL: the tenant's id (not its slug, which the phone side never confirms). */
  tenantId: string;
  body: Buffer;
  headers: Record<string, string | string[] | undefined>;
  /** The TCP peer (the TLS proxy, behind one): only trusted proxies may send MDM_CLIENT_CERT_HEADER. */
  remoteAddress?: string;
}

/**
 * The Apple MDM check-in and command endpoints. Every request is authenticated by the phone's
 * identity certificate (Mdm-Signature, or a proxy's client-certificate header), which must chain to
 * the tenant CA and, after Authenticate, be the one bound to the device.
 */
@Injectable()
export class AppleMdmService {
  private readonly logger = new Logger(AppleMdmService.name);
  private readonly tenantIds = new Map<string, TenantEntity>();
  /** Device certificates proven to chain to a tenant CA; bounded in bytes, strangers never enter. */
  readonly certificateCache = new TrustedCertificateCache();

  constructor(
    private readonly dataSource: DataSource,
    private readonly tenantCa: TenantCaService,
    private readonly certificates: DeviceCertificatesService,
    private readonly replays: SignedRequestReplayGuard,
    private readonly commands: MdmCommandsService,
    private readonly deliveries: DeliveryTrackerService,
    private readonly compliance: ComplianceEvaluator,
    private readonly inventoryFacts: InventoryFactsRecorder,
    @InjectRepository(TenantEntity) private readonly tenants: Repository<TenantEntity>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The tenant behind a phone-facing URL. Phones address their tenant by its id, a random UUID that
   * only enrollment profiles carry, never by its slug: slugs are guessable (`dinum`, `armees`). An
   * unknown id answers exactly like an unknown enrollment token (PhoneFacingNotFound).
   */
  async tenant(tenantId: string): Promise<TenantEntity> {
    const cached = this.tenantIds.get(tenantId);
    if (cached) return cached;
    const tenant = isUUID(tenantId) ? await this.tenants.findOne({ where: { id: tenantId } }) : null;
    if (!tenant) throw new PhoneFacingNotFound();
    this.tenantIds.set(tenantId, tenant);
    return tenant;
  }

  /**
   * Who sent the request: its certificate must chain to the tenant CA, a proxy's certificate header
   * is taken only from MDM_TRUSTED_PROXIES, and a signed request is accepted once.
   */
  private async authenticate(tenant: TenantEntity, request: MdmRequest): Promise<AuthenticatedMdmRequest> {
    const header = (name: string) => {
      const value = request.headers[name.toLowerCase()];
      return Array.isArray(value) ? value[0] : value;
    };
    const refuse = (code: string, message: string) => {
      this.logger.warn({ tenant: tenant.slug, code }, `MDM request refused: ${message}`);
      return new MdmRequestRefused(code, message);
    };
    const clientCertificate = this.config.MDM_CLIENT_CERT_HEADER
      ? header(this.config.MDM_CLIENT_CERT_HEADER)
      : undefined;
    if (clientCertificate !== undefined && !this.config.trustedProxies.allows(request.remoteAddress)) {
      throw refuse(
        'CLIENT_CERT_HEADER_NOT_FROM_PROXY',
        `${this.config.MDM_CLIENT_CERT_HEADER} is accepted only from the proxies in MDM_TRUSTED_PROXIES, not from ${request.remoteAddress ?? 'an unknown address'}`,
      );
    }
    const ca = await this.tenantCa.get(tenant.id);
    let identity: AuthenticatedMdmRequest;
    try {
      identity = authenticateMdmRequest({
        body: request.body,
        mdmSignature: header('mdm-signature'),
        clientCertificatePem: clientCertificate,
        trustedCaPems: [ca.certificatePem],
        cache: this.certificateCache,
      });
    } catch (error) {
      if (error instanceof MdmAuthError) throw refuse(error.code, error.message);
      throw error;
    }
    // Checked once the certificate is trusted, so that strangers cannot fill the replay memory.
    if (identity.signedRequestSha256 && !(await this.replays.firstSeen(identity.signedRequestSha256))) {
      throw refuse('REPLAYED', 'this signed request was already received: refused as a replay');
    }
    return identity;
  }

  private parse<T>(parse: () => T): T {
    try {
      return parse();
    } catch (error) {
      if (error instanceof MdmProtocolError) throw new MdmRequestRefused(error.code, error.message);
      throw error;
    }
  }

  /** PUT CheckInURL: Authenticate, TokenUpdate, CheckOut. */
  async checkIn(request: MdmRequest): Promise<void> {
    const tenant = await this.tenant(request.tenantId);
    const identity = await this.authenticate(tenant, request);
    const message = this.parse(() => parseCheckinMessage(request.body));
    switch (message.MessageType) {
      case 'Authenticate':
        if (identity.source === 'mdm-signature' && identity.signingTime === undefined) {
          // Without a signing time, a captured Authenticate could be replayed long after the fact.
          this.logger.warn({ tenant: tenant.slug, udid: message.UDID }, 'Authenticate without signing time');
          throw new MdmRequestRefused(
            'SIGNING_TIME_REQUIRED',
            'an Authenticate must be signed with a signingTime attribute',
          );
        }
        return this.onAuthenticate(tenant, identity.fingerprintSha256, message);
      case 'TokenUpdate':
        if (message.UserID !== undefined) {
          // A Shared iPad user's channel: its token must not replace the device's.
          this.logger.log({ tenant: tenant.slug, udid: message.UDID }, 'user-channel TokenUpdate ignored');
          return;
        }
        return this.onTokenUpdate(tenant, identity.fingerprintSha256, message);
      case 'CheckOut':
        return this.onCheckOut(tenant, identity.fingerprintSha256, message.UDID);
      default:
        // User channels, bootstrap tokens, declarative management: not used by Rempart.
        this.logger.log({ tenant: tenant.slug, messageType: message.original }, 'check-in message ignored');
    }
  }

  private async onAuthenticate(
    tenant: TenantEntity,
    certificateSha256: string,
    message: Extract<ReturnType<typeof parseCheckinMessage>, { MessageType: 'Authenticate' }>,
  ) {
    await this.dataSource.transaction(async (manager) => {
      const { enrollment, record, existing } = await this.certificates.checkAuthenticate(
        manager,
        tenant,
        certificateSha256,
        message.UDID,
      );
      const ade = record.adeSerial
        ? await this.adeDevice(manager, tenant, record.adeSerial, message.SerialNumber)
        : null;
      const devices = manager.getRepository(DeviceEntity);
      const fields = {
        platform: 'ios' as const,
        groupId: ade?.targetGroupId ?? enrollment.groupId,
        enrollmentId: enrollment.id,
        status: 'pending' as const,
        serialNumber: message.SerialNumber ?? existing?.serialNumber ?? null,
        model: message.Model ?? existing?.model ?? null,
        modelName: message.ModelName ?? existing?.modelName ?? null,
        productName: message.ProductName ?? existing?.productName ?? null,
        osVersion: message.OSVersion ?? existing?.osVersion ?? null,
        buildVersion: message.BuildVersion ?? existing?.buildVersion ?? null,
        deviceName: message.DeviceName ?? existing?.deviceName ?? null,
        identityCertificateSha256: certificateSha256,
        pushToken: null,
        pushMagic: null,
        lastSeenAt: new Date(),
      };
      if (existing) {
        if (existing.identityCertificateSha256 !== certificateSha256) {
          this.logger.log(
            { tenant: tenant.slug, udid: message.UDID },
            'device re-enrolls with a new identity certificate',
          );
        }
        await devices.update({ id: existing.id }, fields);
      } else {
        // Two certificates racing for one new UDID: the unique index lets one in, the other is refused.
        const inserted = await devices
          .createQueryBuilder()
          .insert()
          .values({ tenantId: tenant.id, udid: message.UDID, ...fields })
          .orIgnore()
          .returning('id')
          .execute();
        if ((inserted.raw as unknown[]).length === 0) {
          throw new MdmRequestRefused(
            'DEVICE_BOUND_TO_ANOTHER_CERTIFICATE',
            `device ${message.UDID} is being enrolled with another certificate`,
          );
        }
      }
      if (ade) {
        const device = await devices.findOneOrFail({ where: { tenantId: tenant.id, udid: message.UDID } });
        await manager.getRepository(AdeDeviceEntity).update({ id: ade.id }, { deviceId: device.id });
      }
      await this.certificates.bind(manager, record, message.UDID);
    });
  }

  /**
   * The ABM device an ADE identity was issued for: the certificate's challenge was bound to the
   * serial of a signed MachineInfo, and Authenticate must come from that same serial.
   */
  private async adeDevice(
    manager: EntityManager,
    tenant: TenantEntity,
    adeSerial: string,
    reportedSerial: string | undefined,
  ): Promise<AdeDeviceEntity> {
    if (reportedSerial !== adeSerial) {
      this.logger.warn(
        { tenant: tenant.slug, adeSerial, reportedSerial },
        'Authenticate from another serial than the ADE MachineInfo',
      );
      throw new MdmRequestRefused(
        'ADE_SERIAL_MISMATCH',
        `this identity was issued to ADE serial ${adeSerial}, not ${reportedSerial ?? '(none)'}`,
      );
    }
    const row = await manager
      .getRepository(AdeDeviceEntity)
      .findOne({ where: { tenantId: tenant.id, serialNumber: adeSerial } });
    if (!row) throw new MdmRequestRefused('ADE_SERIAL_UNKNOWN', `serial ${adeSerial} is not an ABM device`);
    return row;
  }

  /** The device behind a request, which must present the certificate bound to it at Authenticate. */
  private async boundDevice(
    manager: EntityManager,
    tenant: TenantEntity,
    udid: string,
    certificateSha256: string,
  ) {
    const device = await manager
      .getRepository(DeviceEntity)
      .createQueryBuilder('d')
      .setLock('pessimistic_write')
      .where('d.tenant_id = :tenantId AND d.udid = :udid', { tenantId: tenant.id, udid })
      .getOne();
    if (!device) throw new MdmRequestRefused('DEVICE_UNKNOWN', `device ${udid} has not authenticated`);
    if (device.identityCertificateSha256 !== certificateSha256) {
      if (await this.certificates.isRevoked(manager, tenant.id, certificateSha256)) {
        this.logger.warn({ tenant: tenant.slug, udid }, 'request signed with a revoked certificate');
        throw new MdmCertificateRevoked();
      }
      this.logger.warn(
        { tenant: tenant.slug, udid },
        'request signed with a certificate not bound to this device',
      );
      throw new MdmRequestRefused(
        'CERTIFICATE_MISMATCH',
        'this certificate is not the one bound to the device',
      );
    }
    return device;
  }

  private async onTokenUpdate(
    tenant: TenantEntity,
    certificateSha256: string,
    message: Extract<ReturnType<typeof parseCheckinMessage>, { MessageType: 'TokenUpdate' }>,
  ) {
    await this.dataSource.transaction(async (manager) => {
      const device = await this.boundDevice(manager, tenant, message.UDID, certificateSha256);
      const firstToken = device.status !== 'enrolled';
      await manager.getRepository(DeviceEntity).update(
        { id: device.id },
        {
          pushToken: message.Token.toString('hex'),
          pushMagic: message.PushMagic,
          pushTopic: message.Topic,
          pushTokenInvalidAt: null,
          status: 'enrolled',
          enrolledAt: firstToken ? new Date() : device.enrolledAt,
          unenrolledAt: null,
          lastSeenAt: new Date(),
        },
      );
      if (firstToken) {
        const profiles = await this.currentPolicyVersions(manager, tenant.id, device.groupId);
        const bans = profiles.map((version) => ({
          requestType: 'InstallProfile' as const,
          params: { policyVersionId: version.id },
        }));
        // A phone in Setup Assistant (ADE, await_device_configured) waits for DeviceConfigured: send
        // the ban first, then the inventory, then release it, so the user never holds it unbanned.
        const awaiting = message.AwaitingConfiguration === true;
        const commands: NewCommand[] = awaiting
          ? [...bans, ...FIRST_INVENTORY, { requestType: 'DeviceConfigured' }]
          : [...FIRST_INVENTORY, ...bans];
        const queued = await this.commands.queue(
          tenant.id,
          device.id,
          commands,
          'system:enrollment',
          manager,
        );
        const installs = awaiting ? queued.slice(0, bans.length) : queued.slice(FIRST_INVENTORY.length);
        for (const [i, version] of profiles.entries()) {
          await this.deliveries.recordEnrollmentDelivery(
            manager,
            tenant.id,
            device.id,
            version.id,
            installs[i],
          );
        }
        // The device enters the reports as `unknown` (no inventory yet).
        await this.compliance.evaluateDevices(manager, tenant.id, [device.id]);
      }
    });
  }

  /** The latest version, already in effect, of each policy that targets the group. */
  private currentPolicyVersions(
    manager: EntityManager,
    tenantId: string,
    groupId: string,
  ): Promise<PolicyVersionEntity[]> {
    return manager
      .getRepository(PolicyVersionEntity)
      .createQueryBuilder('v')
      .innerJoin('policies', 'p', 'p.id = v.policy_id AND p.latest_version = v.version')
      .innerJoin('policy_groups', 'pg', 'pg.policy_id = p.id')
      .where('v.tenant_id = :tenantId AND pg.group_id = :groupId AND v.effective_at <= now()', {
        tenantId,
        groupId,
      })
      .select(['v.id'])
      .getMany();
  }

  private async onCheckOut(tenant: TenantEntity, certificateSha256: string, udid: string) {
    await this.dataSource.transaction(async (manager) => {
      const device = await this.boundDevice(manager, tenant, udid, certificateSha256);
      await manager
        .getRepository(DeviceEntity)
        .update(
          { id: device.id },
          { status: 'unenrolled', unenrolledAt: new Date(), pushToken: null, lastSeenAt: new Date() },
        );
      const cancelled = await this.commands.cancelOpen(manager, tenant.id, device.id);
      await this.compliance.evaluateDevices(manager, tenant.id, [device.id]);
      this.logger.log({ tenant: tenant.slug, udid, cancelled }, 'device checked out');
    });
  }

  /** PUT ServerURL: records the phone's answer to its last command and returns the next one (or nothing). */
  async report(request: MdmRequest): Promise<Buffer | null> {
    const tenant = await this.tenant(request.tenantId);
    const identity = await this.authenticate(tenant, request);
    const report = this.parse(() => parseCommandReport(request.body));
    if (
      report.Status === 'Idle' &&
      (await this.idleWithNothingQueued(tenant, report.UDID, identity.fingerprintSha256))
    ) {
      return null;
    }
    if (report.Status !== 'Idle' && report.CommandUUID !== undefined && !isUUID(report.CommandUUID)) {
      // Ours are UUIDs; anything else is not a command this server sent (and not a uuid to query by).
      throw new MdmRequestRefused('INVALID_VALUE', 'CommandUUID: not a command UUID this server sent');
    }
    const outcome = await this.dataSource.transaction(async (manager) => {
      const device = await this.boundDevice(manager, tenant, report.UDID, identity.fingerprintSha256);
      if (device.status !== 'enrolled')
        throw new MdmRequestRefused('DEVICE_NOT_ENROLLED', `device ${report.UDID} is not enrolled`);
      const now = new Date();
      if (report.Status === 'Idle') {
        device.lastIdleAt = now;
        await manager
          .getRepository(DeviceEntity)
          .update({ id: device.id }, { lastSeenAt: now, lastIdleAt: now });
      } else {
        const refusal = await this.recordResult(manager, tenant, device, report);
        await manager.getRepository(DeviceEntity).update({ id: device.id }, { lastSeenAt: now });
        // Every answer may change the verdict (inventory, supervision, a delivery's state).
        await this.compliance.evaluateDevices(manager, tenant.id, [device.id], now);
        // The failed command is committed, so the phone's retry of this answer moves on.
        if (refusal) return { refusal };
      }
      const next = await this.commands.next(manager, tenant.id, device.id, device.lastIdleAt);
      return { next: next ? await this.commandPlist(manager, next) : null };
    });
    if (outcome.refusal) throw outcome.refusal;
    return outcome.next ?? null;
  }

  /**
   * The common case, without a transaction: an enrolled phone, with its bound certificate, reports
   * Idle and has nothing queued. It is a read; `last_seen_at` is written at most once a minute, since
   * a commit per check-in would make the disk the limit. Anything else (unknown device, another
   * certificate, pending or deferred commands) takes the full path, which also produces the right
   * refusal.
   */
  private async idleWithNothingQueued(
    tenant: TenantEntity,
    udid: string,
    certificateSha256: string,
  ): Promise<boolean> {
    const rows: Array<{ id: string; pending: boolean; stale: boolean }> = await this.dataSource.query(
      `SELECT d.id,
              EXISTS (SELECT 1 FROM mdm_commands c WHERE c.device_id = d.id AND c.status IN ('queued', 'sent')) AS pending,
              (d.last_seen_at IS NULL OR d.last_seen_at < now() - interval '${LAST_SEEN_RESOLUTION_SECONDS} seconds') AS stale
       FROM devices d
       WHERE d.tenant_id = $1 AND d.udid = $2 AND d.identity_certificate_sha256 = $3 AND d.status = 'enrolled'`,
      [tenant.id, udid, certificateSha256],
    );
    if (rows.length !== 1 || rows[0].pending) return false;
    if (rows[0].stale) {
      await this.dataSource.query(
        'UPDATE devices SET last_seen_at = now(), last_idle_at = now() WHERE id = $1',
        [rows[0].id],
      );
    }
    return true;
  }

  private async recordResult(
    manager: EntityManager,
    tenant: TenantEntity,
    device: DeviceEntity,
    report: CommandReport,
  ): Promise<MdmRequestRefused | undefined> {
    const command = await this.commands.findOpen(manager, tenant.id, device.id, report.CommandUUID ?? '');
    if (!command) {
      this.logger.warn(
        { tenant: tenant.slug, udid: device.udid, commandUuid: report.CommandUUID },
        'result for a command not open on this device',
      );
      return undefined;
    }
    switch (report.Status) {
      case 'NotNow':
        await this.commands.deferNotNow(manager, command);
        return undefined;
      case 'Error':
        await this.inventoryFailed(
          manager,
          device,
          command,
          describeErrorChain(report.ErrorChain, command.requestType),
        );
        if (command.requestType === 'InstallProfile') {
          await this.deliveries.installFailed(
            manager,
            command,
            describeErrorChain(report.ErrorChain, command.requestType),
          );
        }
        await this.commands.complete(manager, command, {
          status: 'error',
          errorChain: report.ErrorChain ?? [],
        });
        return undefined;
      case 'CommandFormatError':
        await this.inventoryFailed(manager, device, command, 'the phone answered CommandFormatError');
        if (command.requestType === 'InstallProfile') {
          await this.deliveries.installFailed(manager, command, 'the phone answered CommandFormatError');
        }
        await this.commands.complete(manager, command, { status: 'command_format_error' });
        return undefined;
      case 'Acknowledged': {
        let result: Record<string, unknown>;
        try {
          result = await this.applyResult(manager, device, command, report);
        } catch (error) {
          if (!(error instanceof MdmProtocolError)) throw error;
          // A malformed answer would fail the same way on every retry: the command fails instead.
          this.logger.warn(
            { tenant: tenant.slug, udid: device.udid, commandUuid: report.CommandUUID, code: error.code },
            `malformed ${command.requestType} answer: ${error.message}`,
          );
          await this.commands.complete(manager, command, {
            status: 'error',
            result: { malformedAnswer: error.message },
          });
          return new MdmRequestRefused(error.code, error.message);
        }
        await this.commands.complete(manager, command, { status: 'acknowledged', result });
        return undefined;
      }
    }
  }

  /** Writes what an acknowledged command reported into the device record and its inventory. */
  private async applyResult(
    manager: EntityManager,
    device: DeviceEntity,
    command: MdmCommandEntity,
    report: CommandReport,
  ): Promise<Record<string, unknown>> {
    const reportedAt = new Date();
    switch (command.requestType) {
      case 'InstalledApplicationList': {
        const apps = extractInstalledApplications(report.payload);
        await manager.getRepository(DeviceAppEntity).delete({ deviceId: device.id });
        if (apps.length) {
          await manager.getRepository(DeviceAppEntity).insert(
            dedupeBy(apps, (a) => a.identifier).map((a) => ({
              deviceId: device.id,
              tenantId: device.tenantId,
              identifier: a.identifier,
              name: a.name ?? null,
              version: a.shortVersion ?? a.version ?? null,
              reportedAt,
            })),
          );
        }
        await this.inventoryFacts.reported(manager, device, 'apps', reportedAt);
        return { apps: apps.length };
      }
      case 'ProfileList': {
        const profiles = extractProfileList(report.payload);
        await this.deliveries.profilesListed(manager, device.id, command.queuedAt, profiles);
        await manager.getRepository(DeviceProfileEntity).delete({ deviceId: device.id });
        if (profiles.length) {
          await manager.getRepository(DeviceProfileEntity).insert(
            dedupeBy(profiles, (p) => p.identifier).map((p) => ({
              deviceId: device.id,
              tenantId: device.tenantId,
              identifier: p.identifier,
              uuid: p.uuid ?? null,
              displayName: p.displayName ?? null,
              reportedAt,
            })),
          );
        }
        await this.inventoryFacts.reported(manager, device, 'profiles', reportedAt);
        return { profiles: profiles.length };
      }
      case 'DeviceInformation': {
        const info = extractDeviceInformation(report.payload);
        await manager.getRepository(DeviceEntity).update(
          { id: device.id },
          {
            isSupervised: info.isSupervised ?? device.isSupervised,
            osVersion: info.osVersion ?? device.osVersion,
            serialNumber: info.serialNumber ?? device.serialNumber,
            modelName: info.modelName ?? device.modelName,
            model: info.model ?? device.model,
            deviceName: info.deviceName ?? device.deviceName,
            buildVersion: info.buildVersion ?? device.buildVersion,
            productName: info.productName ?? device.productName,
          },
        );
        return { isSupervised: info.isSupervised ?? null, osVersion: info.osVersion ?? null };
      }
      case 'SecurityInfo': {
        const securityInfo = extractSecurityInfo(report.payload);
        await manager.getRepository(DeviceEntity).update({ id: device.id }, { securityInfo });
        return {};
      }
      case 'Restrictions': {
        const restrictions = extractRestrictions(report.payload);
        await manager.getRepository(DeviceEntity).update({ id: device.id }, { restrictions });
        return {};
      }
      case 'InstallProfile':
        await this.deliveries.installAcknowledged(manager, command, reportedAt);
        // Check what the phone now has: the profile list (which verifies the delivery) and the
        // apps, for compliance.
        await this.commands.queue(
          device.tenantId,
          device.id,
          [{ requestType: 'ProfileList' }, { requestType: 'InstalledApplicationList' }],
          'system:follow-up',
          manager,
        );
        return { ...command.params };
      default:
        return {};
    }
  }

  /** A refused inventory command keeps the device from being judged compliant until one succeeds. */
  private async inventoryFailed(
    manager: EntityManager,
    device: DeviceEntity,
    command: MdmCommandEntity,
    error: string,
  ) {
    const kind = INVENTORY_KIND[command.requestType];
    if (kind) await this.inventoryFacts.failed(manager, device, kind, error, new Date());
  }

  private async commandPlist(manager: EntityManager, command: MdmCommandEntity): Promise<Buffer> {
    const request = await this.commandRequest(manager, command);
    return buildCommandPlist(command.id.toUpperCase(), request);
  }

  private async commandRequest(
    manager: EntityManager,
    command: MdmCommandEntity,
  ): Promise<MdmCommandRequest> {
    const params = command.params as Record<string, unknown>;
    switch (command.requestType) {
      case 'InstallProfile': {
        const version = await manager
          .getRepository(PolicyVersionEntity)
          .findOneOrFail({ where: { id: String(params.policyVersionId), tenantId: command.tenantId } });
        const payload = this.config.MDM_SIGN_INSTALLED_PROFILES
          ? version.signedIosProfile
          : version.iosProfile;
        return { RequestType: 'InstallProfile', Payload: payload };
      }
      case 'RemoveProfile':
        return { RequestType: 'RemoveProfile', Identifier: String(params.identifier) };
      case 'DeviceInformation':
        return { RequestType: 'DeviceInformation', Queries: [...DEFAULT_DEVICE_INFORMATION_QUERIES] };
      case 'InstalledApplicationList':
        return { RequestType: 'InstalledApplicationList' };
      case 'ProfileList':
        return { RequestType: 'ProfileList' };
      case 'SecurityInfo':
        return { RequestType: 'SecurityInfo' };
      case 'Restrictions':
        return { RequestType: 'Restrictions' };
      case 'DeviceConfigured':
        return { RequestType: 'DeviceConfigured' };
      default:
        throw new Error(`unknown queued request type ${command.requestType}`);
    }
  }
}

const INVENTORY_KIND: Record<string, InventoryKind | undefined> = {
  InstalledApplicationList: 'apps',
  ProfileList: 'profiles',
};

/** One line from an MDM ErrorChain: what the phone said, outermost error first. */
function describeErrorChain(chain: object[] | undefined, requestType: string): string {
  const parts = (chain ?? []).map((item) => {
    const e = item as Record<string, unknown>;
    const text = e.USEnglishDescription ?? e.LocalizedDescription ?? '';
    return `${String(e.ErrorDomain ?? '?')} ${String(e.ErrorCode ?? '?')}${text ? `: ${String(text)}` : ''}`;
  });
  return parts.length
    ? `${requestType} refused: ${parts.join('; ')}`
    : `${requestType} refused (no ErrorChain)`;
}

function dedupeBy<T>(items: T[], key: (item: T) => string): T[] {
  return [...new Map(items.map((item) => [key(item), item])).values()];
}
