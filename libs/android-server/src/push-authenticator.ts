import { timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { OAuth2Client } from 'google-auth-library';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { DomainException } from '#libs/platform';

export const PUSH_PATH = '/android/notifications';

/**
 * Who may post AMAPI notifications: Pub/Sub with its signed OIDC token (signature against Google's
 * certificates, issuer, expiry, our audience, and the subscription's service account), or a relay
 * holding the configured shared secret. Anything else is a 401 (Pub/Sub then retries, and an
 * operator sees the log line).
 */
@Injectable()
export class PushAuthenticator {
  private readonly oidc: OAuth2Client;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.oidc = new OAuth2Client({
      endpoints: { oauth2FederatedSignonPemCertsUrl: config.GOOGLE_OIDC_CERTS_URL },
    });
  }

  get audience(): string {
    return this.config.AMAPI_PUSH_AUDIENCE || `${this.config.MDM_PUBLIC_URL.replace(/\/$/, '')}${PUSH_PATH}`;
  }

  async authenticate(
    authorization: string | undefined,
    sharedSecret: string | undefined,
  ): Promise<'oidc' | 'shared-secret'> {
    const refuse = (reason: string) => new DomainException('PUSH_UNAUTHENTICATED', reason, 401);
    if (sharedSecret !== undefined) {
      const expected = this.config.AMAPI_PUSH_SHARED_SECRET;
      if (!expected) throw refuse('shared-secret pushes are not enabled (AMAPI_PUSH_SHARED_SECRET)');
      const given = Buffer.from(sharedSecret);
      if (given.length !== Buffer.byteLength(expected) || !timingSafeEqual(given, Buffer.from(expected))) {
        throw refuse('wrong shared secret');
      }
      return 'shared-secret';
    }
    const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    if (!token) throw refuse('no bearer token (Pub/Sub push authentication) and no shared secret');
    if (!this.config.AMAPI_PUSH_SERVICE_ACCOUNT) {
      throw refuse('OIDC pushes are not enabled (AMAPI_PUSH_SERVICE_ACCOUNT)');
    }
    let payload;
    try {
      payload = (await this.oidc.verifyIdToken({ idToken: token, audience: this.audience })).getPayload();
    } catch (error) {
      throw refuse(`OIDC token refused: ${(error as Error).message.split('\n')[0].slice(0, 200)}`);
    }
    if (payload?.email !== this.config.AMAPI_PUSH_SERVICE_ACCOUNT || payload.email_verified !== true) {
      throw refuse(
        `OIDC token is for ${payload?.email ?? 'no service account'}, not the configured push service account`,
      );
    }
    return 'oidc';
  }
}
