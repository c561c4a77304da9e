import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DEVICE_STATUSES, PLATFORMS } from '#libs/persistence';

export class InstalledPolicyVersionResponse {
  @ApiProperty({ example: 'messageries' })
  policy!: string;

  @ApiProperty({ example: 2 })
  version!: number;

  @ApiProperty({
    enum: ['acknowledged', 'verified'],
    description: 'acknowledged: the phone said it installed it; verified: a later report shows it installed',
  })
  state!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  since!: Date;
}

/** A device as GET /v1/devices and GET /v1/devices/{udid} show it. */
export class DeviceResponse {
  @ApiProperty()
  udid!: string;

  @ApiProperty({ enum: PLATFORMS })
  platform!: string;

  @ApiProperty({ type: String, nullable: true, example: 'cabinets', description: 'the slug of its group' })
  group!: string | null;

  @ApiProperty({
    type: [InstalledPolicyVersionResponse],
    description: 'per policy, the latest version the phone installed; empty until one is',
  })
  installedPolicies!: InstalledPolicyVersionResponse[];

  @ApiProperty({ enum: DEVICE_STATUSES })
  status!: string;

  @ApiProperty({ type: String, nullable: true })
  serialNumber!: string | null;

  @ApiProperty({ type: String, nullable: true })
  model!: string | null;

  @ApiProperty({ type: String, nullable: true })
  modelName!: string | null;

  @ApiProperty({ type: String, nullable: true })
  osVersion!: string | null;

  @ApiProperty({ type: String, nullable: true })
  deviceName!: string | null;

  @ApiProperty({ type: Boolean, nullable: true })
  isSupervised!: boolean | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  enrolledAt!: Date | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  unenrolledAt!: Date | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastSeenAt!: Date | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Android only' })
  securityPatchLevel?: string | null;

  @ApiPropertyOptional({ type: Boolean, nullable: true, description: 'Android only' })
  policyCompliant?: boolean | null;

  @ApiPropertyOptional({ type: [Object], description: 'Android only: AMAPI nonComplianceDetails' })
  nonComplianceDetails?: object[];

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'Android only: the AMAPI policy version applied',
  })
  appliedPolicyVersion?: string | null;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, description: 'Android only' })
  lastStatusReportAt?: Date | null;
}
