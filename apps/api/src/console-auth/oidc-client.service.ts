import { Inject, Injectable, Logger } from '@nestjs/common';
import * as oidc from 'openid-client';
import { APP_CONFIG, type AppConfig, type OidcClientConfig } from '#libs/config';
import type { IdentityClaims } from '#libs/auth';

/** The provider could not be reached (refused, timed out, not a discovery document): `provider_unreachable`. */
export class ProviderUnreachable extends Error {
  override readonly name = 'ProviderUnreachable';
}

/** The provider answered, but with an error or something that does not verify: `provider_error`. */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
}

export interface AuthorizationChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

export interface ProviderIdentity {
  claims: IdentityClaims;
  idToken: string | null;
}

/**
 * The console's OpenID Connect relying party (openid-client). Discovery happens at the first
 * sign-in, never at start, with a timeout; a working discovery is kept, a failed one is retried at
 * the next sign-in, so a provider that is down only fails sign-ins.
 */
@Injectable()
export class OidcClientService {
  private readonly logger = new Logger(OidcClientService.name);
  private configuration: oidc.Configuration | undefined;
  private discovering: Promise<oidc.Configuration> | undefined;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get enabled(): boolean {
    return this.config.oidc !== null;
  }

  get redirectUri(): string {
    return `${this.config.CONSOLE_PUBLIC_URL}/auth/callback`;
  }

  async authorizationUrl(checks: AuthorizationChecks): Promise<URL> {
    const configuration = await this.discover();
    const parameters: Record<string, string> = {
      redirect_uri: this.redirectUri,
      scope: this.config.OIDC_SCOPES,
      state: checks.state,
      nonce: checks.nonce,
    };
    if (this.config.OIDC_PKCE) {
      parameters.code_challenge = await oidc.calculatePKCECodeChallenge(checks.codeVerifier);
      parameters.code_challenge_method = 'S256';
    }
    return oidc.buildAuthorizationUrl(configuration, parameters);
  }

  /**
   * Exchanges the code the provider sent back to callbackUrl, verifies the ID token (signature,
   * issuer, audience, nonce) and completes its claims from userinfo when the email or role claim is
   * missing (ProConnect, for one, puts them there only).
   */
  async identify(callbackUrl: URL, checks: AuthorizationChecks): Promise<ProviderIdentity> {
    const configuration = await this.discover();
    try {
      const tokens = await oidc.authorizationCodeGrant(configuration, callbackUrl, {
        pkceCodeVerifier: this.config.OIDC_PKCE ? checks.codeVerifier : undefined,
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        idTokenExpected: true,
      });
      const idTokenClaims = tokens.claims();
      if (!idTokenClaims) throw new ProviderError('the provider returned no ID token');
      let claims: IdentityClaims = { ...idTokenClaims };
      const roleClaim = this.config.OIDC_ROLE_CLAIM;
      const incomplete = claims.email === undefined || (roleClaim !== undefined && !(roleClaim in claims));
      if (incomplete && configuration.serverMetadata().userinfo_endpoint) {
        const userinfo = await oidc.fetchUserInfo(configuration, tokens.access_token, claims.sub);
        // The ID token's verified claims win; userinfo only fills what it lacks.
        claims = { ...userinfo, ...claims };
      }
      return { claims, idToken: tokens.id_token ?? null };
    } catch (error) {
      throw this.classify(error);
    }
  }

  /** Where to send the browser to sign out at the provider too, when it has an end_session endpoint. */
  async endSessionUrl(idToken: string | null): Promise<string | null> {
    if (!this.enabled) return null;
    let configuration: oidc.Configuration;
    try {
      configuration = await this.discover();
    } catch {
      return null;
    }
    if (!configuration.serverMetadata().end_session_endpoint) return null;
    const parameters: Record<string, string> = {
      post_logout_redirect_uri: `${this.config.CONSOLE_PUBLIC_URL}/`,
      client_id: configuration.clientMetadata().client_id,
      // ProConnect requires a state here; the console's landing page has nothing to check it against.
      state: oidc.randomState(),
    };
    if (idToken) parameters.id_token_hint = idToken;
    return oidc.buildEndSessionUrl(configuration, parameters).href;
  }

  private discover(): Promise<oidc.Configuration> {
    if (this.configuration) return Promise.resolve(this.configuration);
    const settings = this.config.oidc;
    if (!settings) return Promise.reject(new ProviderUnreachable('OIDC is not configured'));
    this.discovering ??= this.runDiscovery(settings).finally(() => {
      this.discovering = undefined;
    });
    return this.discovering;
  }

  private async runDiscovery(settings: OidcClientConfig): Promise<oidc.Configuration> {
    const issuer = new URL(settings.issuerUrl);
    try {
      const configuration = await oidc.discovery(
        issuer,
        settings.clientId,
        settings.clientSecret,
        undefined,
        {
          timeout: this.config.OIDC_TIMEOUT_SECONDS,
          // Plain http is only allowed by configuration for a provider on this machine (tests, demo).
          execute: issuer.protocol === 'http:' ? [oidc.allowInsecureRequests] : [],
        },
      );
      this.configuration = configuration;
      return configuration;
    } catch (error) {
      const reason = error instanceof Error ? `${error.message}${causeOf(error)}` : String(error);
      this.logger.warn(`OIDC discovery at ${settings.issuerUrl} failed: ${reason}`);
      throw new ProviderUnreachable(
        `the sign-in provider ${settings.issuerUrl} cannot be reached: ${reason}`,
      );
    }
  }

  private classify(error: unknown): Error {
    if (error instanceof ProviderError || error instanceof ProviderUnreachable) return error;
    const name = (error as { name?: unknown } | null)?.name;
    const message = error instanceof Error ? `${error.message}${causeOf(error)}` : String(error);
    if (
      name === 'TimeoutError' ||
      name === 'AbortError' ||
      (name === 'TypeError' && /fetch failed/.test(message))
    ) {
      this.logger.warn(`OIDC provider unreachable during sign-in: ${message}`);
      return new ProviderUnreachable(message);
    }
    this.logger.warn(`OIDC provider error during sign-in: ${message}`);
    return new ProviderError(message);
  }
}

function causeOf(error: Error): string {
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? ` (${cause.message})` : '';
}
