import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Actor } from '#libs/audit';
import type { OfficerRole } from '#libs/persistence';
import { currentRequestId } from '#libs/platform';

/** The authenticated officer behind a request. */
export interface Principal {
  tenantId: string;
  tenantSlug: string;
  officerId: string;
  email: string;
  role: OfficerRole;
  /** The bearer token used, or null for a console session. */
  tokenId: string | null;
  /** The console session used (cookie), or null for a bearer token. */
  sessionId: string | null;
}

export const REQUIRED_ROLE = 'rempart:required-role';

/** The minimum role a route needs, when it differs from the default (auditor reads, officer writes). */
export const RequireRole = (role: OfficerRole) => SetMetadata(REQUIRED_ROLE, role);

export const CurrentPrincipal = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal =>
    ctx.switchToHttp().getRequest<{ principal: Principal }>().principal,
);

/** The principal as an audit actor. */
export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  const principal = ctx.switchToHttp().getRequest<{ principal: Principal }>().principal;
  return {
    tenantId: principal.tenantId,
    officerId: principal.officerId,
    label: principal.email,
    requestId: currentRequestId() ?? null,
  };
});
