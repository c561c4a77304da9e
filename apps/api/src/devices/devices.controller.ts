import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString } from 'class-validator';
import { DeviceCertificatesService, MdmCommandsService } from '#libs/apple-server';
import type { Actor } from '#libs/audit';
import { CurrentActor, CurrentPrincipal, type Principal } from '#libs/auth';
import { DevicesService } from '#libs/fleet';
import {
  DEVICE_STATUSES,
  PLATFORMS,
  type DeviceEntity,
  type DeviceStatus,
  type MdmCommandEntity,
  type Platform,
} from '#libs/persistence';
import { DomainException } from '#libs/platform';
import { PageQuery } from '../page-query.js';

export class DevicesQuery extends PageQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  group?: string;

  @ApiPropertyOptional({ enum: PLATFORMS })
  @IsOptional()
  @IsIn(PLATFORMS)
  platform?: Platform;

  @ApiPropertyOptional({ enum: DEVICE_STATUSES })
  @IsOptional()
  @IsIn(DEVICE_STATUSES)
  status?: DeviceStatus;
}

/** Commands an officer may ask for on demand: questions, never changes. */
const ON_DEMAND = [
  'ProfileList',
  'InstalledApplicationList',
  'DeviceInformation',
  'SecurityInfo',
  'Restrictions',
] as const;

export class QueueCommandDto {
  @ApiProperty({ enum: ON_DEMAND })
  @IsIn(ON_DEMAND, { message: `requestType must be one of ${ON_DEMAND.join(', ')}` })
  requestType!: (typeof ON_DEMAND)[number];
}

const deviceView = (d: DeviceEntity) => ({
  udid: d.udid,
  platform: d.platform,
  status: d.status,
  serialNumber: d.serialNumber,
  model: d.model,
  modelName: d.modelName,
  osVersion: d.osVersion,
  deviceName: d.deviceName,
  isSupervised: d.isSupervised,
  enrolledAt: d.enrolledAt,
  unenrolledAt: d.unenrolledAt,
  lastSeenAt: d.lastSeenAt,
  ...(d.platform === 'android'
    ? {
        securityPatchLevel: d.securityPatchLevel,
        policyCompliant: d.policyCompliant,
        nonComplianceDetails: d.nonComplianceDetails ?? [],
        appliedPolicyVersion: d.appliedPolicyVersion,
        lastStatusReportAt: d.lastStatusReportAt,
      }
    : {}),
});

const commandView = (c: MdmCommandEntity) => ({
  commandUuid: c.id.toUpperCase(),
  requestType: c.requestType,
  status: c.status,
  queuedAt: c.queuedAt,
  sentAt: c.sentAt,
  completedAt: c.completedAt,
  attempts: c.attempts,
  notNowCount: c.notNowCount,
  errorChain: c.errorChain,
  result: c.result,
  queuedBy: c.queuedBy,
});

@ApiTags('devices')
@ApiBearerAuth()
@Controller('v1/devices')
export class DevicesController {
  constructor(
    private readonly devices: DevicesService,
    private readonly commands: MdmCommandsService,
    private readonly certificates: DeviceCertificatesService,
  ) {}

  @Get()
  async list(@CurrentPrincipal() principal: Principal, @Query() query: DevicesQuery) {
    const devices = await this.devices.list(principal.tenantId, {
      ...query,
      limit: query.limit ?? 100,
      offset: query.offset ?? 0,
    });
    return devices.map(deviceView);
  }

  @Get(':udid')
  async get(@CurrentPrincipal() principal: Principal, @Param('udid') udid: string) {
    return deviceView(await this.devices.get(principal.tenantId, udid));
  }

  @Get(':udid/inventory')
  async inventory(@CurrentPrincipal() principal: Principal, @Param('udid') udid: string) {
    const { device, apps, profiles } = await this.devices.inventory(principal.tenantId, udid);
    return {
      device: deviceView(device),
      apps: apps.map((a) => ({
        identifier: a.identifier,
        name: a.name,
        version: a.version,
        ...(a.state === null ? {} : { state: a.state }),
        reportedAt: a.reportedAt,
      })),
      profiles: profiles.map((p) => ({
        identifier: p.identifier,
        uuid: p.uuid,
        displayName: p.displayName,
        reportedAt: p.reportedAt,
      })),
    };
  }

  @Get(':udid/commands')
  async listCommands(@CurrentPrincipal() principal: Principal, @Param('udid') udid: string) {
    const device = await this.devices.get(principal.tenantId, udid);
    return (await this.commands.listForDevice(principal.tenantId, device.id)).map(commandView);
  }

  @Post(':udid/commands')
  async queueCommand(
    @CurrentActor() actor: Actor,
    @Param('udid') udid: string,
    @Body() body: QueueCommandDto,
  ) {
    const device = await this.devices.get(actor.tenantId, udid);
    if (device.platform !== 'ios' || device.status !== 'enrolled') {
      throw new DomainException('DEVICE_NOT_ENROLLED', `device ${udid} is not an enrolled iPhone`, 409);
    }
    const commandUuid = await this.commands.queueByOfficer(actor, device, { requestType: body.requestType });
    return { commandUuid: commandUuid.toUpperCase(), requestType: body.requestType, status: 'queued' };
  }

  /**
   * Frees the phone's record from its certificate (a phone wiped or replaced without CheckOut): it
   * is unenrolled, its open commands cancelled, and its UDID may enroll with a new certificate.
   */
  @Post(':udid/release')
  @HttpCode(200)
  release(@CurrentActor() actor: Actor, @Param('udid') udid: string) {
    return this.certificates.release(actor, udid);
  }

  /** Revokes the certificate bound to the phone: from now on the phone is refused (401, re-enroll). */
  @Post(':udid/revoke-certificate')
  @HttpCode(200)
  revokeCertificate(@CurrentActor() actor: Actor, @Param('udid') udid: string) {
    return this.certificates.revokeCertificate(actor, udid);
  }
}
