import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Actor } from '#libs/audit';
import { CurrentActor, CurrentPrincipal, OfficersService, RequireRole, type Principal } from '#libs/auth';
import {
  ApiDoc,
  ApiErrors,
  ApiJsonBody,
  ApiOfficerController,
  ApiPathParam,
  UuidParamPipe,
} from '#libs/platform';
import {
  CreateOfficerDto,
  CreateTokenDto,
  IssuedTokenResponse,
  MeResponse,
  OfficerResponse,
  officerView,
  TokenResponse,
  tokenView,
} from './officers.dto.js';

const officerId = ApiPathParam('id', 'id of an officer of your tenant (a UUID)');

const officerUuid = new UuidParamPipe('officer');

@ApiTags('officers')
@ApiOfficerController()
@Controller('v1')
export class OfficersController {
  constructor(private readonly officers: OfficersService) {}

  @Get('me')
  @ApiDoc(
    'The officer and tenant behind the bearer token',
    'Who you are for the API: tenant, officer id, e-mail and role. Any role; a quick way to check a token.',
  )
  @ApiResponse({ status: 200, type: MeResponse, description: 'the caller' })
  me(@CurrentPrincipal() principal: Principal) {
    return {
      tenant: principal.tenantSlug,
      officerId: principal.officerId,
      email: principal.email,
      role: principal.role,
    };
  }

  @Get('officers')
  @RequireRole('admin')
  @ApiDoc(
    'List the officers of your tenant',
    'Every officer, disabled ones included (`disabledAt`). Admin only.',
  )
  @ApiResponse({ status: 200, type: [OfficerResponse], description: 'the officers' })
  @ApiErrors(403)
  async list(@CurrentPrincipal() principal: Principal) {
    return (await this.officers.list(principal.tenantId)).map(officerView);
  }

  @Post('officers')
  @RequireRole('admin')
  @ApiDoc(
    'Create an officer',
    'Adds an officer with a role (auditor reads; officer manages lists, groups, policies, enrollments; admin also manages officers and tokens). Issue a token next with `POST /v1/officers/{id}/tokens`. Admin only; audited.',
  )
  @ApiJsonBody(CreateOfficerDto, {
    officer: { summary: 'a security officer', value: { email: 'rssi@interieur.gouv.fr', role: 'officer' } },
  })
  @ApiResponse({ status: 201, type: OfficerResponse, description: 'the new officer' })
  @ApiErrors(400, 403, 409)
  async create(@CurrentActor() actor: Actor, @Body() body: CreateOfficerDto) {
    return officerView(await this.officers.create(actor, body.email, body.role));
  }

  @Get('officers/:id')
  @RequireRole('admin')
  @ApiDoc('Read one officer', 'One officer of your tenant by id. Admin only.')
  @officerId
  @ApiResponse({ status: 200, type: OfficerResponse, description: 'the officer' })
  @ApiErrors(403, 404)
  async get(@CurrentPrincipal() principal: Principal, @Param('id', officerUuid) id: string) {
    return officerView(await this.officers.get(principal.tenantId, id));
  }

  @Delete('officers/:id')
  @RequireRole('admin')
  @ApiDoc(
    'Disable an officer',
    'Their tokens stop working at once; their audit history stays. Admin only; audited.',
  )
  @officerId
  @ApiResponse({ status: 200, type: OfficerResponse, description: 'the officer, with `disabledAt` set' })
  @ApiErrors(403, 404)
  async disable(@CurrentActor() actor: Actor, @Param('id', officerUuid) id: string) {
    return officerView(await this.officers.disable(actor, id));
  }

  @Post('officers/:id/tokens')
  @RequireRole('admin')
  @ApiDoc(
    'Issue a bearer token for an officer',
    'The token (opaque, not a JWT) is in this answer once and never again; it expires after `expiresInDays` (default TOKEN_TTL_DAYS). Admin only; audited.',
  )
  @officerId
  @ApiJsonBody(CreateTokenDto, {
    script: {
      summary: 'a token for a script, valid 30 days',
      value: { label: 'ci-script', expiresInDays: 30 },
    },
    defaults: { summary: 'defaults', value: {} },
  })
  @ApiResponse({ status: 201, type: IssuedTokenResponse, description: 'the token, with its secret' })
  @ApiErrors(400, 403, 404)
  async issueToken(
    @CurrentActor() actor: Actor,
    @Param('id', officerUuid) id: string,
    @Body() body: CreateTokenDto,
  ) {
    const issued = await this.officers.issueToken(actor, id, body);
    return { ...tokenView(issued.token), token: issued.secret };
  }

  @Get('tokens')
  @RequireRole('admin')
  @ApiDoc(
    'List the tokens of your tenant',
    'Every token with its officer, expiry and last use; never the secret. Admin only.',
  )
  @ApiResponse({ status: 200, type: [TokenResponse], description: 'the tokens' })
  @ApiErrors(403)
  async listTokens(@CurrentPrincipal() principal: Principal) {
    return (await this.officers.listTokens(principal.tenantId)).map(tokenView);
  }

  @Delete('tokens/:id')
  @RequireRole('admin')
  @HttpCode(200)
  @ApiDoc('Revoke a token', 'The token stops working at once. Admin only; audited.')
  @ApiPathParam('id', 'id of a token (a UUID), as `GET /v1/tokens` lists them')
  @ApiResponse({ status: 200, type: TokenResponse, description: 'the token, with `revokedAt` set' })
  @ApiErrors(403, 404)
  async revokeToken(@CurrentActor() actor: Actor, @Param('id', new UuidParamPipe('token')) id: string) {
    return tokenView(await this.officers.revokeToken(actor, id));
  }
}
