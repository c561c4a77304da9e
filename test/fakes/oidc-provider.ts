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
  /**
   * The relying party's redirect URIs. Default: `/auth/callback` on 127.0.0.1 or localhost at any
   * port (loopback URIs match whatever their port, as for native apps), so the provider can start
   * before the api whose address it does not know yet.
   */
  redirectUris?: string[];
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
  /** Follows a sign-out URL (POST /auth/logout's endSessionUrl) with plain HTTP; returns where the provider sends the browser. */
  signOut: (endSessionUrl: string) => Promise<URL>;
  stop: () => Promise<void>;
}

const LOOPBACK_CALLBACKS = ['http://127.0.0.1/auth/callback', 'http://localhost/auth/callback'];
const isLoopbackHttp = (uri: string) => /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(uri);

export async function startOidcProvider(options: OidcProviderOptions): Promise<OidcTestProvider> {
  const clientId = options.clientId ?? 'rempart-console';
  const clientSecret = options.clientSecret ?? randomBytes(24).toString('base64url');
  const users = new Map(options.users.map((user) => [user.email.toLowerCase(), user]));
  const redirectUris = options.redirectUris ?? LOOPBACK_CALLBACKS;
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
        redirect_uris: redirectUris,
        post_logout_redirect_uris:
          options.postLogoutRedirectUris ?? redirectUris.map((uri) => `${new URL(uri).origin}/`),
        // oidc-provider lets a native client's loopback redirect URIs match at any port (RFC 8252).
        application_type: redirectUris.every(isLoopbackHttp) ? 'native' : 'web',
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
    // Pages of our own: the library's defaults load a web font from the Internet.
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        // Signing out of the console is the confirmation: the form submits itself, and ends the
        // provider's session (logout=yes) before returning to the console.
        logoutSource: (ctx: KoaContextWithOIDC, form: string) => {
          ctx.type = 'html';
          ctx.body = page(
            'Déconnexion (sign out)',
            `${form}<p><button type="submit" form="op.logoutForm" name="logout" value="yes">Se déconnecter (sign out)</button></p>
<script>
const form = document.getElementById('op.logoutForm');
const logout = Object.assign(document.createElement('input'), { type: 'hidden', name: 'logout', value: 'yes' });
form.appendChild(logout);
form.submit();
</script>`,
          );
        },
        postLogoutSuccessSource: (ctx: KoaContextWithOIDC) => {
          ctx.type = 'html';
          ctx.body = page('Déconnecté (signed out)', '<p>Vous êtes déconnecté (you are signed out).</p>');
        },
      },
    },
    renderError: (ctx: KoaContextWithOIDC, out: object) => {
      ctx.type = 'html';
      ctx.body = page('Erreur (error)', `<pre>${escapeHtml(JSON.stringify(out, null, 2))}</pre>`);
    },
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
    if (details.prompt.name === 'consent') {
      // Signing in is consenting (one first-party client). Native clients, which loopback redirect
      // URIs make us, are asked every time: answer with the grant loadExistingGrant keeps.
      const accountId = details.session?.accountId;
      const clientId = String(details.params.client_id);
      const grant =
        (details.grantId ? await provider.Grant.find(details.grantId) : undefined) ??
        new provider.Grant({ accountId, clientId });
      grant.addOIDCScope('openid email');
      grant.addOIDCClaims(['sub', 'email', 'email_verified', ...extraClaims]);
      const grantId = await grant.save();
      return provider.interactionFinished(
        request,
        response,
        { consent: { grantId } },
        { mergeWithLastSubmission: true },
      );
    }
    if (details.prompt.name !== 'login') {
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
    signOut: signOutWithHttp,
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

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>${escapeHtml(title)} · fournisseur d'identité de test</title></head>
<body><main>
<h1>${escapeHtml(title)}</h1>
${body}
</main></body></html>`;
}

function loginPage(response: ServerResponse, uid: string, error: string | undefined) {
  response.writeHead(error ? 401 : 200, { 'content-type': 'text/html; charset=utf-8' });
  response.end(
    page(
      "Fournisseur d'identité de test (test identity provider)",
      `${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<p><label for="email">E-mail</label> <input id="email" name="email" type="email" autocomplete="username" required autofocus></p>
<p><label for="password">Mot de passe (password)</label> <input id="password" name="password" type="password" autocomplete="current-password" required></p>
<p><button type="submit">Se connecter (sign in)</button></p>
</form>`,
    ),
  );
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

/** A browser's cookie jar and redirect-less requests, enough to walk through the provider's pages. */
function httpBrowser() {
  const jar = new Map<string, string>();
  return async (url: URL, init: RequestInit = {}) => {
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
    return {
      status: response.status,
      location: response.headers.get('location'),
      body: await response.text(),
    };
  };
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/**
 * What a browser does at the provider: open the authorization URL, post the login form, follow the
 * provider's redirects until one leaves the provider (the client's redirect URI with the code, or
 * with an error).
 */
async function signInWithHttp(
  issuer: string,
  authorizationUrl: string,
  credentials: { email: string; password?: string },
): Promise<URL> {
  const send = httpBrowser();
  let url = new URL(authorizationUrl);
  let loggedIn = false;
  for (let hop = 0; hop < 10; hop++) {
    if (url.origin !== issuer) return url;
    let response = await send(url);
    if (/^\/interaction\/[A-Za-z0-9_-]+$/.test(url.pathname) && response.status === 200 && !loggedIn) {
      loggedIn = true;
      response = await send(new URL(`${url.pathname}/login`, issuer), {
        method: 'POST',
        headers: FORM,
        body: new URLSearchParams({
          email: credentials.email,
          password: credentials.password ?? 'password',
        }).toString(),
      });
      if (response.status === 401)
        throw new Error(`the test provider refused ${credentials.email}'s password`);
    }
    if (!response.location)
      throw new Error(`the test provider answered ${response.status} at ${url.pathname} without a redirect`);
    url = new URL(response.location, url);
  }
  throw new Error('the test provider redirected more than 10 times');
}

/** What a browser does with the end-session URL: the sign-out page posts its form; returns where it lands. */
async function signOutWithHttp(endSessionUrl: string): Promise<URL> {
  const send = httpBrowser();
  const page = await send(new URL(endSessionUrl));
  const form = /<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/.exec(page.body);
  if (page.status !== 200 || !form)
    throw new Error(`the test provider's sign-out page answered ${page.status}`);
  const fields = new URLSearchParams({ logout: 'yes' });
  for (const input of form[2].matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g))
    fields.set(input[1], input[2]);
  const done = await send(new URL(form[1], endSessionUrl), {
    method: 'POST',
    headers: FORM,
    body: fields.toString(),
  });
  if (!done.location)
    throw new Error(`the test provider's sign-out answered ${done.status} without a redirect`);
  return new URL(done.location, endSessionUrl);
}
