import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  DEVICE_STATUSES,
  MDM_COMMAND_STATUSES,
  PLATFORMS,
  type DeviceStatus,
  type MdmCommandStatus,
  type Platform,
} from '#libs/persistence';

export class InstalledPolicyVersionResponse {
  @ApiProperty({ example: 'messageries' })
  policy!: string;

  @ApiProperty({ example: 2 })
  version!: number;

  @ApiProperty({
    enum: ['acknowledged', 'verified'],
    description: 'acknowledged: the phone said it installed it; verified: a later report shows it installed',
  })
  state!: 'acknowledged' | 'verified';

  @ApiProperty({ type: String, format: 'date-time' })
  since!: Date;
}

export class DeviceResponse {
  @ApiProperty({ example: '00008110-000A1C2E3F40801E', description: 'iOS UDID, or the AMAPI device name' })
  udid!: string;

  @ApiProperty({ enum: PLATFORMS })
  platform!: Platform;

  @ApiProperty({ type: String, nullable: true, example: 'cabinets', description: 'the slug of its group' })
  group!: string | null;

  @ApiProperty({
    type: [InstalledPolicyVersionResponse],
    description: 'per policy, the latest version the phone installed; empty until one is',
  })
  installedPolicies!: InstalledPolicyVersionResponse[];

  @ApiProperty({ enum: DEVICE_STATUSES })
  status!: DeviceStatus;

  @ApiProperty({ type: String, nullable: true })
  serialNumber!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'iPhone14,5' })
  model!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'iPhone 13' })
  modelName!: string | null;

  @ApiProperty({ type: String, nullable: true, example: '17.2' })
  osVersion!: string | null;

  @ApiProperty({ type: String, nullable: true })
  deviceName!: string | null;

  @ApiProperty({ type: Boolean, nullable: true, description: 'iOS: blocking apps needs supervision' })
  isSupervised!: boolean | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  enrolledAt!: Date | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  unenrolledAt!: Date | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastSeenAt!: Date | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Android only' })
  securityPatchLevel?: string | null;

  @ApiPropertyOptional({ type: Boolean, nullable: true, description: 'Android only: AMAPI’s verdict' })
  policyCompliant?: boolean | null;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: 'Android only: AMAPI’s non-compliance details',
  })
  nonComplianceDetails?: Record<string, unknown>[];

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Android only' })
  appliedPolicyVersion?: string | null;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, description: 'Android only' })
  lastStatusReportAt?: Date | null;
}

class InventoryAppResponse {
  @ApiProperty({ example: 'net.whatsapp.WhatsApp', description: 'bundle ID or package name' })
  identifier!: string;

  @ApiProperty({ type: String, nullable: true })
  name!: string | null;

  @ApiProperty({ type: String, nullable: true })
  version!: string | null;

  @ApiPropertyOptional({ description: 'Android: the app’s state as AMAPI reports it' })
  state?: string;

  @ApiProperty({ type: String, format: 'date-time' })
  reportedAt!: Date;
}

class InventoryProfileResponse {
  @ApiProperty()
  identifier!: string;

  @ApiProperty({ type: String, nullable: true })
  uuid!: string | null;

  @ApiProperty({ type: String, nullable: true })
  displayName!: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  reportedAt!: Date;
}

export class DeviceInventoryResponse {
  @ApiProperty({ type: DeviceResponse })
  device!: DeviceResponse;

  @ApiProperty({ type: [InventoryAppResponse], description: 'apps installed, as last reported' })
  apps!: InventoryAppResponse[];

  @ApiProperty({ type: [InventoryProfileResponse], description: 'iOS: profiles installed' })
  profiles!: InventoryProfileResponse[];
}

export class MdmCommandResponse {
  @ApiProperty({ example: '9B0E5F5C-7A1D-4C3B-8E2F-1A2B3C4D5E6F' })
  commandUuid!: string;

  @ApiProperty({ example: 'InstalledApplicationList' })
  requestType!: string;

  @ApiProperty({ enum: MDM_COMMAND_STATUSES })
  status!: MdmCommandStatus;

  @ApiProperty({ type: String, format: 'date-time' })
  queuedAt!: Date;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  sentAt!: Date | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  completedAt!: Date | null;

  @ApiProperty()
  attempts!: number;

  @ApiProperty({ description: 'times the phone answered NotNow' })
  notNowCount!: number;

  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    nullable: true,
    description: 'the phone’s ErrorChain, when it failed',
  })
  errorChain!: Record<string, unknown>[] | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'the phone’s answer',
  })
  result!: Record<string, unknown> | null;

  @ApiProperty({ type: String, nullable: true })
  queuedBy!: string | null;
}

export class QueuedCommandResponse {
  @ApiProperty({ example: '9B0E5F5C-7A1D-4C3B-8E2F-1A2B3C4D5E6F' })
  commandUuid!: string;

  @ApiProperty({ example: 'InstalledApplicationList' })
  requestType!: string;

  @ApiProperty({ example: 'queued' })
  status!: string;
}

export class DeviceIdentityChangeResponse {
  @ApiProperty()
  udid!: string;

  @ApiProperty({ enum: DEVICE_STATUSES })
  status!: DeviceStatus;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'SHA-256 of the certificate still bound, if any',
  })
  certificateSha256!: string | null;

  @ApiProperty({ description: 'open commands cancelled' })
  cancelledCommands!: number;

  @ApiPropertyOptional({
    type: [String],
    description: 'after a revocation: SHA-256 of each certificate revoked',
  })
  revokedCertificates?: string[];
}
