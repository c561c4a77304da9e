import { Controller, Delete, Get, HttpCode, Param } from '@nestjs/common';
import { ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Actor } from '#libs/audit';
import {
  ConsoleSessionsService,
  CurrentActor,
  CurrentPrincipal,
  RequireRole,
  type Principal,
} from '#libs/auth';
import {
  ApiDoc,
  ApiErrors,
  ApiNoContent,
  ApiOfficerController,
  ApiPathParam,
  UuidParamPipe,
} from '#libs/platform';
import { ConsoleSessionResponse, consoleSessionView } from './console-sessions.dto.js';

/** The console sessions of the tenant (see Console sign-in in the README), for its admins. */
@ApiTags('officers')
@ApiOfficerController()
@Controller('v1/console-sessions')
export class ConsoleSessionsController {
  constructor(private readonly sessions: ConsoleSessionsService) {}

  @Get()
  @RequireRole('admin')
  @ApiDoc(
    'List the console sessions of your tenant',
    'Every console sign-in that still lets its browser in (not past its idle or absolute timeout, officer not disabled), newest first, with its officer and timeouts; `current` marks the session of your own cookie. Never the cookie or its hash. Admin only.',
  )
  @ApiResponse({ status: 200, type: [ConsoleSessionResponse], description: 'the live sessions' })
  @ApiErrors(403)
  async list(@CurrentPrincipal() principal: Principal): Promise<ConsoleSessionResponse[]> {
    const sessions = await this.sessions.listLive(principal.tenantId);
    return sessions.map((session) =>
      consoleSessionView(session, this.sessions.idleExpiresAt(session), principal.sessionId),
    );
  }

  @Delete(':id')
  @RequireRole('admin')
  @HttpCode(204)
  @ApiDoc(
    'Revoke a console session',
    'Ends the session at once: its browser’s next request answers 401 `SESSION_UNKNOWN` and the officer must sign in again (they are not disabled: use `DELETE /v1/officers/{id}` for that). Your own session may be revoked too, like signing out. Admin only; audited (`console.session_revoked`).',
  )
  @ApiPathParam('id', 'public id of a console session (a UUID), as `GET /v1/console-sessions` lists them')
  @ApiNoContent('the session has ended')
  @ApiErrors(403, 404)
  async revoke(
    @CurrentActor() actor: Actor,
    @Param('id', new UuidParamPipe('console session')) id: string,
  ): Promise<void> {
    await this.sessions.revoke(actor, id);
  }
}
