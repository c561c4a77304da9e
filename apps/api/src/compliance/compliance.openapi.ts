import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { COMPLIANCE_STATUSES, PLATFORMS, type ComplianceStatus, type Platform } from '#libs/persistence';

const STATUS_COUNTS = {
  type: 'object',
  additionalProperties: { type: 'integer' },
  description: `devices per status: ${COMPLIANCE_STATUSES.join(', ')}`,
} as const;

export class ComplianceSummaryResponse {
  @ApiProperty({ type: String, nullable: true, description: 'the group asked for' })
  group!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'the policy asked for' })
  policy!: string | null;

  @ApiProperty()
  total!: number;

  @ApiProperty(STATUS_COUNTS)
  counts!: Record<ComplianceStatus, number>;
}

class ReasonResponse {
  @ApiProperty({ example: 'banned_app_installed' })
  code!: string;

  @ApiPropertyOptional({ example: 'whatsapp' })
  app?: string;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'WhatsApp' })
  name?: string | null;

  @ApiPropertyOptional({ example: 'messageries-2023' })
  policy?: string;

  @ApiPropertyOptional({ example: 1 })
  version?: number;

  @ApiPropertyOptional()
  detail?: string;
}

export class ComplianceDeviceResponse {
  @ApiProperty()
  udid!: string;

  @ApiProperty({ type: String, nullable: true })
  deviceName!: string | null;

  @ApiProperty({ type: String, nullable: true })
  serialNumber!: string | null;

  @ApiProperty({ enum: PLATFORMS })
  platform!: Platform;

  @ApiProperty({ example: 'ministere-interieur' })
  group!: string;

  @ApiProperty({ type: Boolean, nullable: true })
  supervised!: boolean | null;

  @ApiProperty({ enum: COMPLIANCE_STATUSES })
  status!: ComplianceStatus;

  @ApiProperty({ type: [ReasonResponse], description: 'why it is not compliant' })
  reasons!: ReasonResponse[];

  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: 'what does not make it non-compliant but deserves a look (an approved app missing)',
  })
  warnings!: Record<string, unknown>[];

  @ApiProperty({ type: String, format: 'date-time' })
  statusSince!: Date;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  nonCompliantSince!: Date | null;

  @ApiProperty({ type: Number, nullable: true })
  nonCompliantForSeconds!: number | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastSeenAt!: Date | null;

  @ApiProperty({ type: String, format: 'date-time' })
  evaluatedAt!: Date;
}

export class ComplianceChangeResponse {
  @ApiProperty({ enum: COMPLIANCE_STATUSES, nullable: true })
  from!: ComplianceStatus | null;

  @ApiProperty({ enum: COMPLIANCE_STATUSES })
  to!: ComplianceStatus;

  @ApiProperty({ type: [ReasonResponse] })
  reasons!: ReasonResponse[];

  @ApiProperty({ type: String, format: 'date-time' })
  at!: Date;
}

export class ComplianceAppResponse {
  @ApiProperty({ example: 'whatsapp', description: 'catalog slug, or the identifier when unknown' })
  app!: string;

  @ApiProperty({ type: String, nullable: true, example: 'WhatsApp' })
  name!: string | null;

  @ApiProperty({ type: [String], example: ['net.whatsapp.WhatsApp', 'com.whatsapp'] })
  identifiers!: string[];

  @ApiProperty({ description: 'devices that have it installed' })
  devices!: number;

  @ApiProperty({ description: 'groups of those devices' })
  groups!: number;
}

export class TrendDayResponse {
  @ApiProperty({ example: '2026-11-30' })
  day!: string;

  @ApiProperty({ ...STATUS_COUNTS, nullable: true, description: 'null for a day without a snapshot' })
  counts!: Record<ComplianceStatus, number> | null;
}
