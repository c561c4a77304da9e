import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { OfficerRole } from '#libs/persistence';
import { IS_PUBLIC } from '#libs/platform';
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
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const principal = await this.authenticator.authenticate(request.header('authorization'));
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
