import { Body, Controller, Get, Header, HttpCode, Patch, Post, Put, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import type { Request } from 'express';
import { AdeAccountsService, AdeDevicesService } from '#libs/apple-server';
import type { Actor } from '#libs/audit';
import { CurrentActor, CurrentPrincipal, RequireRole, type Principal } from '#libs/auth';
import { JobName, JobQueue } from '#libs/jobs';
import { ADE_ASSIGNMENT_STATUSES, type AdeAssignmentStatus } from '#libs/persistence';
import { DomainException } from '#libs/platform';

export class AdeRuleDto {
  @ApiPropertyOptional({ description: 'slug of the group these phones join' })
  @IsString()
  group!: string;

  @ApiPropertyOptional({ type: [String], description: 'serial numbers' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100_000)
  @IsString({ each: true })
  serials?: string[];

  @ApiPropertyOptional({ description: 'case-insensitive text of the device description in ABM' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  descriptionContains?: string;
}

export class AdeSettingsDto {
  @ApiPropertyOptional({ description: 'slug of the group ADE phones join unless a rule says otherwise' })
  @IsOptional()
  @IsString()
  defaultGroup?: string;

  @ApiPropertyOptional({ type: [AdeRuleDto], description: 'first matching rule wins' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => AdeRuleDto)
  rules?: AdeRuleDto[];

  @ApiPropertyOptional({ type: [String], description: 'Setup Assistant panes to skip (SkipKeys)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(64)
  @IsString({ each: true })
  skipSetupItems?: string[];
}

export class AdeDevicesQuery {
  @ApiPropertyOptional({ enum: ADE_ASSIGNMENT_STATUSES })
  @IsOptional()
  @IsIn(ADE_ASSIGNMENT_STATUSES)
  status?: AdeAssignmentStatus;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  cursor?: string;

  @ApiPropertyOptional({ default: 100, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

/** The server token as the body: the .p7m text itself, or `{"token": "<the .p7m text>"}`. */
function tokenText(body: unknown): string {
  if (typeof body === 'string' && body.trim() !== '') return body;
  if (typeof body === 'object' && body !== null && typeof (body as { token?: unknown }).token === 'string') {
    return (body as { token: string }).token;
  }
  throw new DomainException(
    'MISSING_TOKEN',
    'send the downloaded .p7m file as the body (Content-Type: application/pkcs7-mime or text/plain), or {"token": "<its text>"}',
    400,
  );
}

@ApiTags('apple')
@ApiBearerAuth()
@Controller('v1/apple/ade')
export class AdeController {
  constructor(
    private readonly accounts: AdeAccountsService,
    private readonly devices: AdeDevicesService,
    private readonly jobs: JobQueue,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'ABM account, server token expiry (warning 30 days ahead), last sync, blocking state',
  })
  describe(@CurrentPrincipal() principal: Principal) {
    return this.accounts.describe(principal.tenantId);
  }

  @Get('certificate')
  @RequireRole('admin')
  @Header('Content-Type', 'application/x-pem-file')
  @Header('Content-Disposition', 'attachment; filename="rempart-ade.pem"')
  @ApiOperation({ summary: 'The PEM certificate to upload to an MDM server in Apple Business Manager' })
  certificate(@CurrentActor() actor: Actor) {
    return this.accounts.certificate(actor);
  }

  @Put('token')
  @RequireRole('admin')
  @ApiOperation({ summary: 'Upload the server token downloaded from ABM (the .p7m, as text)' })
  async uploadToken(@CurrentActor() actor: Actor, @Req() req: Request) {
    const view = await this.accounts.uploadToken(actor, tokenText(req.body));
    await this.jobs.enqueue({ name: JobName.AdeSync, data: { tenantId: actor.tenantId } });
    return view;
  }

  @Patch()
  @RequireRole('officer')
  @ApiOperation({
    summary: 'Default group, assignment rules and skipped Setup Assistant panes of ADE phones',
  })
  update(@CurrentActor() actor: Actor, @Body() body: AdeSettingsDto) {
    return this.accounts.update(actor, body);
  }

  @Post('sync')
  @HttpCode(202)
  @RequireRole('officer')
  @ApiOperation({ summary: 'Sync ABM devices and assign them now (one sync per tenant at a time)' })
  async sync(@CurrentPrincipal() principal: Principal) {
    await this.accounts.credentials(await this.accounts.get(principal.tenantId));
    const jobId = await this.jobs.enqueue({ name: JobName.AdeSync, data: { tenantId: principal.tenantId } });
    return { queued: true, jobId };
  }

  @Get('devices')
  @ApiOperation({ summary: 'ABM devices with their assignment state, by serial number' })
  listDevices(@CurrentPrincipal() principal: Principal, @Query() query: AdeDevicesQuery) {
    return this.devices.list(principal.tenantId, {
      status: query.status,
      after: query.cursor,
      limit: query.limit ?? 100,
    });
  }
}
