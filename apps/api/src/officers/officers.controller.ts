import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '#libs/audit';
import { CurrentActor, CurrentPrincipal, OfficersService, RequireRole, type Principal } from '#libs/auth';
import { CreateOfficerDto, CreateTokenDto, officerView, tokenView } from './officers.dto.js';

const uuid = new ParseUUIDPipe({ version: '4', errorHttpStatusCode: 404 });

@ApiTags('officers')
@ApiBearerAuth()
@Controller('v1')
export class OfficersController {
  constructor(private readonly officers: OfficersService) {}

  @Get('me')
  @ApiOperation({ summary: 'The officer and tenant behind the bearer token' })
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
  async list(@CurrentPrincipal() principal: Principal) {
    return (await this.officers.list(principal.tenantId)).map(officerView);
  }

  @Post('officers')
  @RequireRole('admin')
  async create(@CurrentActor() actor: Actor, @Body() body: CreateOfficerDto) {
    return officerView(await this.officers.create(actor, body.email, body.role));
  }

  @Get('officers/:id')
  @RequireRole('admin')
  async get(@CurrentPrincipal() principal: Principal, @Param('id', uuid) id: string) {
    return officerView(await this.officers.get(principal.tenantId, id));
  }

  @Delete('officers/:id')
  @RequireRole('admin')
  @ApiOperation({ summary: 'Disable an officer: their tokens stop working, their audit history stays' })
  async disable(@CurrentActor() actor: Actor, @Param('id', uuid) id: string) {
    return officerView(await this.officers.disable(actor, id));
  }

  @Post('officers/:id/tokens')
  @RequireRole('admin')
  @ApiOperation({
    summary: 'Issue a bearer token for an officer; the token is in the response once and never again',
  })
  async issueToken(
    @CurrentActor() actor: Actor,
    @Param('id', uuid) id: string,
    @Body() body: CreateTokenDto,
  ) {
    const issued = await this.officers.issueToken(actor, id, body);
    return { ...tokenView(issued.token), token: issued.secret };
  }

  @Get('tokens')
  @RequireRole('admin')
  async listTokens(@CurrentPrincipal() principal: Principal) {
    return (await this.officers.listTokens(principal.tenantId)).map(tokenView);
  }

  @Delete('tokens/:id')
  @RequireRole('admin')
  @HttpCode(200)
  async revokeToken(@CurrentActor() actor: Actor, @Param('id', uuid) id: string) {
    return tokenView(await this.officers.revokeToken(actor, id));
  }
}
