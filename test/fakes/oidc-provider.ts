import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';

/*
 * A real OpenID Connect provider (panva's oidc-provider) on a free local port, for the console's
 * sign-in in tests, browser tests and the demo. Its login page is a plain HTML form (e-mail and
 * password) that a browser fills in and a test posts with fetch; consent is implied for the one
 * client. Users carry whatever claims a test needs (the role claim, or none).
 */

export interface OidcTestUser {
  email: string;
  /** Default `password`. */
  password?: string;
  /** Extra claims released with the openid scope, e.g. `{ rempart_role: 'officer' }`. */
  claims?: Record<string, unknown>;
  /** Default true; false makes the provider say the address is unverified. */
  emailVerified?: boolean;
}

export interface OidcProviderOptions {
  users: OidcTestUser[];
  /** The relying party's redirect URIs, e.g. `http://127.0.0.1:3000/auth/callback`. */
  redirectUris: string[];
  /** Where the provider may send the browser after signing out (default: each redirect URI's origin + `/`). */
  postLogoutRedirectUris?: string[];
  clientId?: string;
  clientSecret?: string;
  /**
   * True (default): only `sub` is in the ID token and the other claims come from userinfo, as with
   * ProConnect. False: every claim is in the ID token.
   */
  claimsFromUserinfo?: boolean;
  /** Fixed port (the demo prints its address); default any free port. */
  port?: number;
}

export interface OidcTestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Signs in at the provider with plain HTTP from an authorization URL; returns the redirect back to the client. */
  signIn: (authorizationUrl: string, credentials: { email: string; password?: string }) => Promise<URL>;
  stop: () => Promise<void>;
}

export async function startOidcProvider(options: OidcProviderOptions): Promise<OidcTestProvider> {
  const clientId = options.clientId ?? 'rempart-console';
  const clientSecret = options.clientSecret ?? randomBytes(24).toString('base64url');
  const users = new Map(options.users.map((user) => [user.email.toLowerCase(), user]));
  const extraClaims = [...new Set(options.users.flatMap((user) => Object.keys(user.claims ?? {})))];

  let handler: (request: IncomingMessage, response: ServerResponse) => void = (_req, res) => res.end();
  const server: Server = createServer((request, response) => handler(request, response));
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const configuration: Configuration = {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: options.redirectUris,
        post_logout_redirect_uris:
          options.postLogoutRedirectUris ?? options.redirectUris.map((uri) => `${new URL(uri).origin}/`),
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    jwks: { keys: [{ ...signingKey, kid: 'test-signing-key', alg: 'RS256', use: 'sig' }] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    pkce: { required: () => true },
    ttl: {
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
      AccessToken: 600,
      IdToken: 600,
      AuthorizationCode: 60,
    },
    conformIdTokenClaims: options.claimsFromUserinfo ?? true,
    claims: { openid: ['sub', ...extraClaims], email: ['email', 'email_verified'] },
    interactions: { url: (_ctx: KoaContextWithOIDC, interaction) => `/interaction/${interaction.uid}` },
    // One first-party client: signing in is consenting.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const accountId = ctx.oidc.session?.accountId;
      const client = ctx.oidc.client;
      if (!accountId || !client) return undefined;
      const existing = ctx.oidc.session?.grantIdFor(client.clientId);
      if (existing) {
        const grant = await ctx.oidc.provider.Grant.find(existing);
        if (grant) return grant;
      }
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId });
      grant.addOIDCScope('openid email');
      grant.addOIDCClaims(['sub', 'email', 'email_verified', ...extraClaims]);
      await grant.save();
      return grant;
    },
    findAccount: (_ctx, sub) => {
      const user = users.get(sub);
      if (!user) return undefined;
      return {
        accountId: sub,
        claims: () => ({
          sub,
          email: user.email,
          email_verified: user.emailVerified ?? true,
          ...user.claims,
        }),
      };
    },
    features: { devInteractions: { enabled: false } },
  };
  const provider = await withoutKnownWarnings(async () => {
    const { default: Provider } = await import('oidc-provider');
    return new Provider(issuer, configuration);
  });
  const providerCallback = provider.callback();

  handler = (request, response) => {
    const match = /^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/.exec(
      new URL(request.url ?? '/', issuer).pathname,
    );
    if (!match) return void providerCallback(request, response);
    interaction(request, response, match[2] !== undefined).catch((error: unknown) => {
      if (!response.headersSent) {
        response.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
        response.end(`sign-in failed: ${(error as Error).message}`);
      }
    });
  };

  async function interaction(request: IncomingMessage, response: ServerResponse, submitted: boolean) {
    const details = await provider.interactionDetails(request, response);
    if (details.prompt.name !== 'login') {
      // Consent comes from loadExistingGrant; any other prompt is finished as it stands.
      return provider.interactionFinished(request, response, {}, { mergeWithLastSubmission: true });
    }
    if (!submitted) return loginPage(response, details.uid, undefined);
    const form = new URLSearchParams(await readBody(request));
    const email = (form.get('email') ?? '').trim().toLowerCase();
    const user = users.get(email);
    if (!user || (user.password ?? 'password') !== form.get('password')) {
      return loginPage(response, details.uid, 'Adresse ou mot de passe inconnu / unknown e-mail or password');
    }
    await provider.interactionFinished(
      request,
      response,
      { login: { accountId: email } },
      { mergeWithLastSubmission: false },
    );
  }

  return {
    issuer,
    clientId,
    clientSecret,
    signIn: (authorizationUrl, credentials) => signInWithHttp(issuer, authorizationUrl, credentials),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/**
 * oidc-provider 9 warns that Node 20 is not a runtime it supports (it runs here: the tests prove
 * what we use) and that its in-memory store is for development (it is a test provider): both
 * are known, and would otherwise fill every test's and the demo's output.
 */
async function withoutKnownWarnings<T>(work: () => Promise<T>): Promise<T> {
  const known =
    /^oidc-provider WARNING: (Unsupported runtime|a quick start development-only in-memory adapter)/;
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && known.test(args[0])) return;
    warn(...args);
  };
  try {
    return await work();
  } finally {
    console.warn = warn;
  }
}

function loginPage(response: ServerResponse, uid: string, error: string | undefined) {
  response.writeHead(error ? 401 : 200, { 'content-type': 'text/html; charset=utf-8' });
  response.end(`<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Fournisseur d'identité de test</title></head>
<body><main>
<h1>Fournisseur d'identité de test (test identity provider)</h1>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<p><label for="email">E-mail</label> <input id="email" name="email" type="email" autocomplete="username" required autofocus></p>
<p><label for="password">Mot de passe (password)</label> <input id="password" name="password" type="password" autocomplete="current-password" required></p>
<p><button type="submit">Se connecter (sign in)</button></p>
</form>
</main></body></html>`);
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/**
 * What a browser does at the provider, with fetch and a cookie jar: open the authorization URL,
 * post the login form, follow the provider's redirects until one leaves the provider (the client's
 * redirect URI with the code, or with an error).
 */
async function signInWithHttp(
  issuer: string,
  authorizationUrl: string,
  credentials: { email: string; password?: string },
): Promise<URL> {
  const jar = new Map<string, string>();
  const send = async (url: URL, init: RequestInit = {}) => {
    const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const index = pair.indexOf('=');
      jar.set(pair.slice(0, index).trim(), pair.slice(index + 1).trim());
    }
    await response.arrayBuffer();
    return response;
  };
  let url = new URL(authorizationUrl);
  let loggedIn = false;
  for (let hop = 0; hop < 10; hop++) {
    if (url.origin !== issuer) return url;
    let response = await send(url);
    const interaction = /^\/interaction\/([A-Za-z0-9_-]+)$/.exec(url.pathname);
    if (interaction && response.status === 200 && !loggedIn) {
      loggedIn = true;
      response = await send(new URL(`${url.pathname}/login`, issuer), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          email: credentials.email,
          password: credentials.password ?? 'password',
        }).toString(),
      });
      if (response.status === 401)
        throw new Error(`the test provider refused ${credentials.email}'s password`);
    }
    const location = response.headers.get('location');
    if (!location)
      throw new Error(`the test provider answered ${response.status} at ${url.pathname} without a redirect`);
    url = new URL(location, url);
  }
  throw new Error('the test provider redirected more than 10 times');
}
