import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString } from 'class-validator';
import { DeviceCertificatesService, MdmCommandsService } from '#libs/apple-server';
import type { Actor } from '#libs/audit';
import { CurrentActor, CurrentPrincipal, type Principal } from '#libs/auth';
import { DevicesService, type DevicePlacement } from '#libs/fleet';
import {
  DEVICE_STATUSES,
  PLATFORMS,
  type DeviceEntity,
  type DeviceStatus,
  type MdmCommandEntity,
  type Platform,
} from '#libs/persistence';
import {
  ApiDoc,
  ApiErrors,
  ApiJsonBody,
  ApiOfficerController,
  ApiPathParam,
  DomainException,
} from '#libs/platform';
import {
  DeviceIdentityChangeResponse,
  DeviceInventoryResponse,
  DeviceResponse,
  MdmCommandResponse,
  QueuedCommandResponse,
} from './devices.openapi.js';
import { PageQuery } from '../page-query.js';

const udidParam = ApiPathParam(
  'udid',
  'the device: iOS UDID, or Android device id',
  '00008110-000A1C2E3F40801E',
);

export class DevicesQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'slug of a group', example: 'ministere-interieur' })
  @IsOptional()
  @IsString()
  group?: string;

  @ApiPropertyOptional({ enum: PLATFORMS, description: 'only this platform' })
  @IsOptional()
  @IsIn(PLATFORMS)
  platform?: Platform;

  @ApiPropertyOptional({ enum: DEVICE_STATUSES, description: 'only devices in this enrollment state' })
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
  @ApiProperty({ enum: ON_DEMAND, description: 'a question to ask the phone' })
  @IsIn(ON_DEMAND, { message: `requestType must be one of ${ON_DEMAND.join(', ')}` })
  requestType!: (typeof ON_DEMAND)[number];
}

const deviceView = (d: DeviceEntity, placement?: DevicePlacement) => ({
  udid: d.udid,
  platform: d.platform,
  group: placement?.group ?? null,
  installedPolicies: placement?.installedPolicies ?? [],
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
@ApiOfficerController()
@Controller('v1/devices')
export class DevicesController {
  constructor(
    private readonly devices: DevicesService,
    private readonly commands: MdmCommandsService,
    private readonly certificates: DeviceCertificatesService,
  ) {}

  @Get()
  @ApiDoc(
    'List the devices',
    'Enrolled (and pending, unenrolled) phones of your tenant, filtered by group, platform and state. Any role.',
  )
  @ApiResponse({ status: 200, type: [DeviceResponse], description: 'the devices' })
  @ApiErrors(400)
  async list(@CurrentPrincipal() principal: Principal, @Query() query: DevicesQuery) {
    const devices = await this.devices.list(principal.tenantId, {
      ...query,
      limit: query.limit ?? 100,
      offset: query.offset ?? 0,
    });
    const placements = await this.devices.placements(principal.tenantId, devices);
    return devices.map((device) => deviceView(device, placements.get(device.id)));
  }

  @Get(':udid')
  @ApiDoc('Read one device', 'One phone of your tenant. Any role.')
  @udidParam
  @ApiResponse({ status: 200, type: DeviceResponse, description: 'the device' })
  @ApiErrors(404)
  async get(@CurrentPrincipal() principal: Principal, @Param('udid') udid: string) {
    const device = await this.devices.get(principal.tenantId, udid);
    const placements = await this.devices.placements(principal.tenantId, [device]);
    return deviceView(device, placements.get(device.id));
  }

  @Get(':udid/inventory')
  @ApiDoc(
    'Read what a device has installed',
    'The apps (and iOS profiles) the phone last reported. Any role.',
  )
  @udidParam
  @ApiResponse({ status: 200, type: DeviceInventoryResponse, description: 'the inventory' })
  @ApiErrors(404)
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
  @ApiDoc(
    'List the MDM commands of an iPhone',
    'Commands queued for the phone, with their state and the phone’s answer. Any role.',
  )
  @udidParam
  @ApiResponse({ status: 200, type: [MdmCommandResponse], description: 'the commands' })
  @ApiErrors(404)
  async listCommands(@CurrentPrincipal() principal: Principal, @Param('udid') udid: string) {
    const device = await this.devices.get(principal.tenantId, udid);
    return (await this.commands.listForDevice(principal.tenantId, device.id)).map(commandView);
  }

  @Post(':udid/commands')
  @ApiDoc(
    'Ask an iPhone a question',
    'Queues a read-only MDM command (installed apps, profiles, device or security information) and wakes the phone with a push; read the answer with `GET /v1/devices/{udid}/commands`. Officer or above; audited.',
  )
  @udidParam
  @ApiJsonBody(QueueCommandDto, { apps: { value: { requestType: 'InstalledApplicationList' } } })
  @ApiResponse({ status: 201, type: QueuedCommandResponse, description: 'the queued command' })
  @ApiErrors(400, 403, 404, 409)
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
  @ApiDoc(
    'Release a phone from its certificate',
    'For a phone wiped or replaced without checking out: it is unenrolled, its open commands cancelled, and its UDID may enroll again with a new certificate. Officer or above; audited.',
  )
  @udidParam
  @ApiResponse({ status: 200, type: DeviceIdentityChangeResponse, description: 'what changed' })
  @ApiErrors(403, 404)
  release(@CurrentActor() actor: Actor, @Param('udid') udid: string) {
    return this.certificates.release(actor, udid);
  }

  /** Revokes the certificate bound to the phone: from now on the phone is refused (401, re-enroll). */
  @Post(':udid/revoke-certificate')
  @HttpCode(200)
  @ApiDoc(
    'Revoke a phone’s certificate',
    'The phone is refused from now on (it must enroll again), e.g. after a loss or theft. Officer or above; audited.',
  )
  @udidParam
  @ApiResponse({ status: 200, type: DeviceIdentityChangeResponse, description: 'what changed' })
  @ApiErrors(403, 404)
  revokeCertificate(@CurrentActor() actor: Actor, @Param('udid') udid: string) {
    return this.certificates.revokeCertificate(actor, udid);
  }
}
