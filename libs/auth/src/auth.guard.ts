import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { OfficerRole } from '#libs/persistence';
import { AuthFailureLimiter, clientAddress, IS_PUBLIC } from '#libs/platform';
import { AuthException, type AuthExceptionCode } from './auth.exception.js';
import { CSRF_HEADER, readCookie, SESSION_COOKIE } from './console-session-cookies.js';
import { type AuthenticatedSession, ConsoleSessionsService } from './console-sessions.service.js';
import { type Principal, REQUIRED_ROLE } from './principal.js';
import { defaultRequiredRole, roleSatisfies } from './roles.js';
import { TokenAuthenticator } from './token-authenticator.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const NOT_GUESSES: ReadonlySet<string> = new Set<AuthExceptionCode>(['TOKEN_MISSING', 'SESSION_EXPIRED']);

/**
 * Global guard of the officer API: a valid bearer token (scripts) or console session cookie (the
 * console; changes also need its CSRF token), and a role that covers the route. A request with an
 * Authorization header is judged by it alone.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: TokenAuthenticator,
    private readonly sessions: ConsoleSessionsService,
    private readonly failures: AuthFailureLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const address = clientAddress(request);
    // A blocked address is refused before its token is checked, so guessing learns nothing more.
    await this.failures.assertAllowed(address);
    const authorization = request.header('authorization');
    const sessionSecret = authorization === undefined ? readCookie(request, SESSION_COOKIE) : undefined;
    let principal: Principal;
    let session: AuthenticatedSession | undefined;
    try {
      if (sessionSecret !== undefined) {
        session = await this.sessions.authenticate(sessionSecret);
        principal = session.principal;
      } else {
        principal = await this.authenticator.authenticate(authorization);
      }
    } catch (error) {
      // Only a credential that was tried and failed says something of guessing. A request with none
      // (every signed-out console page asks /v1/me) and a session that aged out (it was genuinely
      // issued) do not count: officers behind one office address must not get each other refused.
      if (error instanceof AuthException && !NOT_GUESSES.has(error.code))
        await this.failures.recordFailure(address);
      throw error;
    }
    // SameSite=Lax still lets another site's form POST reach us with the cookie: changes need the
    // token that only our page can read. A bearer token is never sent by a browser on its own.
    if (session && !SAFE_METHODS.has(request.method.toUpperCase())) {
      this.sessions.assertCsrf(session.session, request.header(CSRF_HEADER));
    }
    request.principal = principal;
    const required =
      this.reflector.getAllAndOverride<OfficerRole>(REQUIRED_ROLE, targets) ??
      defaultRequiredRole(request.method);
    if (!roleSatisfies(principal.role, required)) {
      throw new AuthException(
        'ROLE_INSUFFICIENT',
        `role ${principal.role} may not ${request.method} ${request.path}; it needs ${required} or above`,
      );
    }
    return true;
  }
}
