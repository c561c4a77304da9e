import { Injectable } from '@nestjs/common';
import { AuthException } from './auth.exception.js';
import type { Principal } from './principal.js';
import { ApiTokenRepository } from './repositories.js';
import { hashTokenSecret, isWellFormedToken } from './token-secret.js';

/** Writing last_used_at on every request would turn reads into writes; once a minute is enough. */
const LAST_USED_RESOLUTION_MS = 60_000;

@Injectable()
export class TokenAuthenticator {
  constructor(private readonly tokens: ApiTokenRepository) {}

  async authenticate(authorization: string | undefined, now = new Date()): Promise<Principal> {
    if (!authorization)
      throw new AuthException(
        'TOKEN_MISSING',
        'Authorization header with a Bearer token (or a console session cookie) is required',
      );
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) throw new AuthException('TOKEN_MALFORMED', 'Authorization header must be "Bearer <token>"');
    const secret = match[1];
    if (!isWellFormedToken(secret))
      throw new AuthException('TOKEN_MALFORMED', 'bearer token is not a Rempart token');
    const token = await this.tokens.findBySecretHashForAuthentication(hashTokenSecret(secret));
    if (!token || !token.officer || !token.tenant)
      throw new AuthException('TOKEN_UNKNOWN', 'bearer token is not known');
    if (token.revokedAt)
      throw new AuthException(
        'TOKEN_REVOKED',
        `bearer token was revoked at ${token.revokedAt.toISOString()}`,
      );
    if (token.expiresAt <= now)
      throw new AuthException('TOKEN_EXPIRED', `bearer token expired at ${token.expiresAt.toISOString()}`);
    if (token.officer.disabledAt)
      throw new AuthException('OFFICER_DISABLED', `officer ${token.officer.email} is disabled`);
    if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      await this.tokens.touchLastUsed(token.id, now);
    }
    return {
      tenantId: token.tenantId,
      tenantSlug: token.tenant.slug,
      officerId: token.officerId,
      email: token.officer.email,
      role: token.officer.role,
      tokenId: token.id,
      sessionId: null,
    };
  }
}
