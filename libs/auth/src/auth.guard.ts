import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { OfficerRole } from '#libs/persistence';
import { AuthFailureLimiter, clientAddress, IS_PUBLIC } from '#libs/platform';
import { AuthException } from './auth.exception.js';
import { type Principal, REQUIRED_ROLE } from './principal.js';
import { defaultRequiredRole, roleSatisfies } from './roles.js';
import { TokenAuthenticator } from './token-authenticator.js';

/** Global guard of the officer API: a valid bearer token, and a role that covers the route. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: TokenAuthenticator,
    private readonly failures: AuthFailureLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const address = clientAddress(request);
    // A blocked address is refused before its token is checked, so guessing learns nothing more.
    await this.failures.assertAllowed(address);
    let principal: Principal;
    try {
      principal = await this.authenticator.authenticate(request.header('authorization'));
    } catch (error) {
      if (error instanceof AuthException) await this.failures.recordFailure(address);
      throw error;
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
