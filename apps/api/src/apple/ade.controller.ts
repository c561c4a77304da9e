import { Body, Controller, Get, Header, HttpCode, Patch, Post, Put, Query, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiPropertyOptional, ApiResponse, ApiTags, PickType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import type { Request } from 'express';
import { AdeAccountsService, AdeDevicesService } from '#libs/apple-server';
import type { Actor } from '#libs/audit';
import { CurrentActor, CurrentPrincipal, RequireRole, type Principal } from '#libs/auth';
import { JobName, JobQueue } from '#libs/jobs';
import { ADE_ASSIGNMENT_STATUSES, type AdeAssignmentStatus } from '#libs/persistence';
import {
  ApiDoc,
  ApiErrors,
  ApiFileResponse,
  ApiJsonBody,
  ApiOfficerController,
  DomainException,
} from '#libs/platform';
import { PageQuery } from '../page-query.js';
import { AdeAccountResponse, AdeDevicesPage, AdeSyncQueuedResponse } from './apple.openapi.js';

const P7M_EXAMPLE =
  'Content-Type: application/pkcs7-mime; name="smime.p7m"; smime-type=enveloped-data\nContent-Transfer-Encoding: base64\n\nMIAGCSqGSIb3DQEHA6CAMIACAQAxggFr...';

export class AdeRuleDto {
  @ApiPropertyOptional({ description: 'slug of the group these phones join', example: 'ministere-interieur' })
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

/** A page of ABM devices: by cursor, `limit` as in every paged list. */
export class AdeDevicesQuery extends PickType(PageQuery, ['limit'] as const) {
  @ApiPropertyOptional({
    enum: ADE_ASSIGNMENT_STATUSES,
    description: 'only devices in this assignment state',
  })
  @IsOptional()
  @IsIn(ADE_ASSIGNMENT_STATUSES)
  status?: AdeAssignmentStatus;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  cursor?: string;
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
@ApiOfficerController()
@Controller('v1/apple/ade')
export class AdeController {
  constructor(
    private readonly accounts: AdeAccountsService,
    private readonly devices: AdeDevicesService,
    private readonly jobs: JobQueue,
  ) {}

  @Get()
  @ApiDoc(
    'Read the Apple Business Manager link',
    'The ABM account, server token expiry (warning 30 days ahead), last sync, assignment settings, and `state` with a `message` saying what to do when something blocks ADE. Any role.',
  )
  @ApiResponse({ status: 200, type: AdeAccountResponse, description: 'the ADE account' })
  describe(@CurrentPrincipal() principal: Principal) {
    return this.accounts.describe(principal.tenantId);
  }

  @Get('certificate')
  @RequireRole('admin')
  @Header('Content-Type', 'application/x-pem-file')
  @Header('Content-Disposition', 'attachment; filename="rempart-ade.pem"')
  @ApiDoc(
    'Download the certificate for Apple Business Manager',
    'The PEM public key to upload when adding an MDM server in ABM; the key pair is made once (audited). ABM then gives a server token to upload with `PUT /v1/apple/ade/token`. Admin only.',
  )
  @ApiFileResponse(200, 'application/x-pem-file', 'the certificate (PEM)')
  @ApiErrors(403)
  certificate(@CurrentActor() actor: Actor) {
    return this.accounts.certificate(actor);
  }

  @Put('token')
  @RequireRole('admin')
  @ApiDoc(
    'Upload the ABM server token',
    'The `.p7m` file downloaded from ABM as the body (Content-Type: application/pkcs7-mime or text/plain), or `{"token": "<its text>"}`. It is decrypted with the key of `GET /v1/apple/ade/certificate`, checked with Apple, stored encrypted, and a sync starts. Admin only; audited.',
  )
  @ApiConsumes('application/pkcs7-mime', 'text/plain', 'application/json')
  @ApiBody({
    schema: { oneOf: [{ type: 'string' }, { type: 'object', properties: { token: { type: 'string' } } }] },
    examples: { p7m: { summary: 'the downloaded file', value: P7M_EXAMPLE } },
  })
  @ApiResponse({ status: 200, type: AdeAccountResponse, description: 'the ADE account, token included' })
  @ApiErrors(400, 403, 502)
  async uploadToken(@CurrentActor() actor: Actor, @Req() req: Request) {
    const view = await this.accounts.uploadToken(actor, tokenText(req.body));
    await this.jobs.enqueue({ name: JobName.AdeSync, data: { tenantId: actor.tenantId } });
    return view;
  }

  @Patch()
  @RequireRole('officer')
  @ApiDoc(
    'Set where ADE phones go',
    'Default group, assignment rules (first match wins, by serial or ABM description) and the Setup Assistant panes ADE phones skip. Officer or above; audited.',
  )
  @ApiJsonBody(AdeSettingsDto, {
    rules: {
      value: {
        defaultGroup: 'ministere-interieur',
        rules: [
          { group: 'cabinet', serials: ['F2LXK0AAHG7F'] },
          { group: 'prefecture-nord', descriptionContains: 'Lille' },
        ],
        skipSetupItems: ['Siri', 'Privacy'],
      },
    },
  })
  @ApiResponse({ status: 200, type: AdeAccountResponse, description: 'the ADE account' })
  @ApiErrors(400, 403, 404)
  update(@CurrentActor() actor: Actor, @Body() body: AdeSettingsDto) {
    return this.accounts.update(actor, body);
  }

  @Post('sync')
  @HttpCode(202)
  @RequireRole('officer')
  @ApiDoc(
    'Sync with Apple Business Manager now',
    'Queues a sync of the ABM devices and their assignment to Rempart’s enrollment profile (one sync per tenant at a time). Officer or above.',
  )
  @ApiResponse({ status: 202, type: AdeSyncQueuedResponse, description: 'the sync is queued' })
  @ApiErrors(403, 404, 409)
  async sync(@CurrentPrincipal() principal: Principal) {
    await this.accounts.credentials(await this.accounts.get(principal.tenantId));
    const jobId = await this.jobs.enqueue({ name: JobName.AdeSync, data: { tenantId: principal.tenantId } });
    return { queued: true, jobId };
  }

  @Get('devices')
  @ApiDoc(
    'List the ABM devices',
    'Devices Apple Business Manager lists for your server, by serial number, with their group, assignment state and enrolled UDID; page with `nextCursor`. Any role.',
  )
  @ApiResponse({ status: 200, type: AdeDevicesPage, description: 'one page of devices' })
  @ApiErrors(400)
  listDevices(@CurrentPrincipal() principal: Principal, @Query() query: AdeDevicesQuery) {
    return this.devices.list(principal.tenantId, {
      status: query.status,
      after: query.cursor,
      limit: query.limit ?? 100,
    });
  }
}
