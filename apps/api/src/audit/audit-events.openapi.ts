import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

class AuditActorResponse {
  @ApiProperty({
    type: String,
    nullable: true,
    format: 'uuid',
    description: 'null for the CLI and the system',
  })
  id!: string | null;

  @ApiProperty({ example: 'rssi@interieur.gouv.fr', description: 'e-mail, or `cli:...` / `system:...`' })
  label!: string;
}

class AuditTargetResponse {
  @ApiProperty({ example: 'group' })
  type!: string;

  @ApiProperty({ type: String, nullable: true, example: 'ministere-interieur' })
  id!: string | null;
}

export class AuditEventResponse {
  @ApiProperty({ example: 42, description: 'position in the tenant’s hash chain' })
  seq!: number;

  @ApiProperty({ type: String, format: 'date-time' })
  occurredAt!: Date;

  @ApiProperty({ type: AuditActorResponse })
  actor!: AuditActorResponse;

  @ApiProperty({ example: 'group.create' })
  action!: string;

  @ApiProperty({ type: AuditTargetResponse })
  target!: AuditTargetResponse;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'summary before',
  })
  before!: Record<string, unknown> | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'summary after',
  })
  after!: Record<string, unknown> | null;

  @ApiProperty({ type: String, nullable: true, description: 'the request that made the change' })
  requestId!: string | null;

  @ApiProperty({ description: 'SHA-256 (hex) over this event and the previous event’s hash, HMAC-signed' })
  hash!: string;
}

export class AuditEventsPage {
  @ApiProperty({ type: [AuditEventResponse], description: 'newest first' })
  items!: AuditEventResponse[];

  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'pass as `cursor` for the next page; null at the end',
  })
  nextCursor!: number | null;
}
