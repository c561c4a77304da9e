import { Controller, Get, Query } from '@nestjs/common';
import { ApiPropertyOptional, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { AuditService } from '#libs/audit';
import { CurrentPrincipal, type Principal } from '#libs/auth';
import type { AuditEventEntity } from '#libs/persistence';
import { ApiDoc, ApiErrors, ApiOfficerController, IsIsoDateTime, MAX_INT32 } from '#libs/platform';
import { AuditEventsPage } from './audit-events.openapi.js';

export class AuditEventsQuery {
  @ApiPropertyOptional({ description: 'officer e-mail or id' })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  actor?: string;

  @ApiPropertyOptional({ example: 'group.create', description: 'the action, e.g. policy.publish' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  action?: string;

  @ApiPropertyOptional({ description: 'ISO-8601; events at or after' })
  @IsOptional()
  @IsIsoDateTime()
  from?: Date;

  @ApiPropertyOptional({ description: 'ISO-8601; events before' })
  @IsOptional()
  @IsIsoDateTime()
  to?: Date;

  @ApiPropertyOptional({ description: 'the nextCursor of the previous page' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_INT32)
  cursor?: number;

  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 500, description: 'events per page' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

const eventView = (e: AuditEventEntity) => ({
  seq: e.seq,
  occurredAt: e.occurredAt,
  actor: { id: e.actorId, label: e.actorLabel },
  action: e.action,
  target: { type: e.targetType, id: e.targetId },
  before: e.before,
  after: e.after,
  requestId: e.requestId,
  hash: e.hash,
});

@ApiTags('audit')
@ApiOfficerController()
@Controller('v1/audit-events')
export class AuditEventsController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiDoc(
    'Read the audit log',
    'Every officer action of your tenant, newest first, filtered by actor, action and time; page with `nextCursor`. Each event carries its hash in the tenant’s chain (`npm run cli -- audit verify` checks it). Any role.',
  )
  @ApiResponse({ status: 200, type: AuditEventsPage, description: 'one page of events' })
  @ApiErrors(400)
  async list(@CurrentPrincipal() principal: Principal, @Query() query: AuditEventsQuery) {
    const page = await this.audit.list(principal.tenantId, {
      actor: query.actor,
      action: query.action,
      from: query.from,
      to: query.to,
      before: query.cursor,
      limit: query.limit ?? 50,
    });
    return { items: page.items.map(eventView), nextCursor: page.nextCursor };
  }
}
