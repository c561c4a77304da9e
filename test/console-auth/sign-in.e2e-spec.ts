import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type ApiHarness, type SeededTenant, startApi } from '../support/api-harness.js';
import { CONSOLE_URL, setCookies, signInToConsole } from '../support/console-sign-in.js';
import { type OidcTestProvider, startOidcProvider } from '../fakes/oidc-provider.js';

describe('console sign-in through the OpenID Connect provider', () => {
  let provider: OidcTestProvider;
  let api: ApiHarness;
  let dinum: SeededTenant;
  const asAdmin = () => ({ Authorization: `Bearer ${dinum.tokens.admin}` });

  beforeAll(async () => {
    provider = await startOidcProvider({
      redirectUris: [`${CONSOLE_URL}/auth/callback`],
      users: [
        // An existing officer whose provider claims a higher role than Rempart gave them.
        { email: 'officer@dinum.gouv.fr', claims: { rempart_role: 'admin' } },
        { email: 'auditor@dinum.gouv.fr', claims: { rempart_role: 'auditor' } },
        { email: 'admin@dinum.gouv.fr' },
        { email: 'nouvelle.agente@dinum.gouv.fr', claims: { rempart_role: 'auditor' } },
        { email: 'inconnu@dinum.gouv.fr' },
        { email: 'mauvais.role@dinum.gouv.fr', claims: { rempart_role: 'superuser' } },
        { email: 'partie@dinum.gouv.fr', claims: { rempart_role: 'officer' } },
        { email: 'agent@intranet', claims: { rempart_role: 'officer' } },
      ],
    });
    api = await startApi({
      OIDC_ISSUER_URL: provider.issuer,
      OIDC_CLIENT_ID: provider.clientId,
      OIDC_CLIENT_SECRET: provider.clientSecret,
      OIDC_ROLE_CLAIM: 'rempart_role',
      OIDC_TENANT: 'dinum',
      CONSOLE_PUBLIC_URL: CONSOLE_URL,
    });
    dinum = await api.seedTenant('dinum');
  });
  afterAll(async () => {
    await api?.close();
    await provider?.stop();
  });

  async function auditEvents(action: string) {
    const res = await api.http().get(`/v1/audit-events?action=${action}`).set(asAdmin());
    expect(res.status).toBe(200);
    return res.body.items as Array<{
      actor: { id: string | null; label: string };
      target: { id: string };
      after: Record<string, unknown>;
    }>;
  }

  it('signs in an existing officer matched by e-mail, with the role Rempart gave them, and sends them back where they were', async () => {
    const signIn = await signInToConsole(api, provider, 'Officer@DINUM.gouv.fr', {
      returnTo: '/policies/interdiction?tab=impact#top',
    });
    expect(signIn.location).toBe('/policies/interdiction?tab=impact#top');
    const session = signIn.cookies.get('rempart_session')!;
    expect(session.attributes).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Lax', 'Path=/']));
    expect(session.attributes).not.toContain('Secure');
    const csrf = signIn.cookies.get('rempart_csrf')!;
    expect(csrf.attributes).toEqual(expect.arrayContaining(['SameSite=Lax', 'Path=/']));
    expect(csrf.attributes).not.toContain('HttpOnly');

    const me = await api.http().get('/v1/me').set('Cookie', signIn.cookieHeader);
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      tenant: 'dinum',
      officerId: dinum.officerIds.officer,
      email: 'officer@dinum.gouv.fr',
      role: 'officer',
    });
    const signIns = await auditEvents('console.signin');
    expect(signIns.some((e) => e.actor.id === dinum.officerIds.officer && e.after.created === false)).toBe(
      true,
    );
  });

  it('sends the browser to the provider with state, nonce and a PKCE challenge kept in a sealed HttpOnly cookie', async () => {
    const login = await api.http().get('/auth/login?returnTo=/devices');
    expect(login.status).toBe(302);
    const authorize = new URL(login.headers.location as string);
    expect(authorize.origin).toBe(provider.issuer);
    expect(authorize.searchParams.get('client_id')).toBe(provider.clientId);
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${CONSOLE_URL}/auth/callback`);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('state')!.length).toBeGreaterThanOrEqual(32);
    expect(authorize.searchParams.get('nonce')!.length).toBeGreaterThanOrEqual(32);
    const transaction = setCookies(login.headers['set-cookie']).get('rempart_signin')!;
    expect(transaction.attributes).toEqual(
      expect.arrayContaining(['HttpOnly', 'SameSite=Lax', 'Path=/auth']),
    );
    // Sealed: neither the verifier nor the state can be read from it.
    expect(transaction.value).not.toContain(authorize.searchParams.get('state'));
    expect(transaction.value).not.toContain('/devices');
  });

  it('stores only a hash of the session id', async () => {
    const signIn = await signInToConsole(api, provider, 'officer@dinum.gouv.fr');
    const secret = signIn.cookies.get('rempart_session')!.value;
    const stored = await api.sql(
      `SELECT secret_hash FROM console_sessions WHERE secret_hash = encode(sha256($1::bytea), 'hex')`,
      [secret],
    );
    expect(stored.rowCount).toBe(1);
    const plain = await api.sql(`SELECT 1 FROM console_sessions WHERE secret_hash = $1 OR id_token = $1`, [
      secret,
    ]);
    expect(plain.rowCount).toBe(0);
  });

  it('creates an officer on first sign-in with the role from the configured claim', async () => {
    const signIn = await signInToConsole(api, provider, 'nouvelle.agente@dinum.gouv.fr', { returnTo: '/' });
    expect(signIn.location).toBe('/');
    const me = await api.http().get('/v1/me').set('Cookie', signIn.cookieHeader);
    expect(me.body).toMatchObject({
      tenant: 'dinum',
      email: 'nouvelle.agente@dinum.gouv.fr',
      role: 'auditor',
    });
    const officers = await api.http().get('/v1/officers').set(asAdmin());
    expect(officers.body).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ email: 'nouvelle.agente@dinum.gouv.fr', role: 'auditor' }),
      ]),
    );
    const created = await auditEvents('officer.create');
    expect(created.some((e) => e.actor.label === 'oidc:nouvelle.agente@dinum.gouv.fr')).toBe(true);
  });

  it('refuses a stranger without a role claim, sets no session, and audits the refusal', async () => {
    const signIn = await signInToConsole(api, provider, 'inconnu@dinum.gouv.fr');
    expect(signIn.location).toBe('/?signin_error=not_authorized');
    expect(signIn.cookies.get('rempart_session')?.value ?? '').toBe('');
    const refusals = await auditEvents('console.signin_refused');
    expect(refusals.some((e) => e.actor.label === 'oidc:inconnu@dinum.gouv.fr')).toBe(true);
    const officers = await api.http().get('/v1/officers').set(asAdmin());
    expect(officers.body.map((o: { email: string }) => o.email)).not.toContain('inconnu@dinum.gouv.fr');
  });

  it('refuses a stranger whose role claim names no Rempart role', async () => {
    const signIn = await signInToConsole(api, provider, 'mauvais.role@dinum.gouv.fr');
    expect(signIn.location).toBe('/?signin_error=not_authorized');
    const refusals = await auditEvents('console.signin_refused');
    expect(refusals.some((e) => e.actor.label === 'oidc:mauvais.role@dinum.gouv.fr')).toBe(true);
  });

  it('refuses a first sign-in whose e-mail Rempart would not accept from an admin either', async () => {
    const signIn = await signInToConsole(api, provider, 'agent@intranet');
    expect(signIn.location).toBe('/?signin_error=not_authorized');
    const refusals = await auditEvents('console.signin_refused');
    expect(refusals.some((e) => e.actor.label === 'oidc:agent@intranet')).toBe(true);
  });

  it('refuses a disabled officer, even with a role claim, and ends their open sessions', async () => {
    const created = await api
      .http()
      .post('/v1/officers')
      .set(asAdmin())
      .send({ email: 'partie@dinum.gouv.fr', role: 'officer' });
    expect(created.status).toBe(201);
    const before = await signInToConsole(api, provider, 'partie@dinum.gouv.fr');
    expect((await api.http().get('/v1/me').set('Cookie', before.cookieHeader)).status).toBe(200);

    expect((await api.http().delete(`/v1/officers/${created.body.id}`).set(asAdmin())).status).toBe(200);
    const after = await signInToConsole(api, provider, 'partie@dinum.gouv.fr');
    expect(after.location).toBe('/?signin_error=not_authorized');
    const refused = await auditEvents('console.signin_refused');
    expect(refused.some((e) => e.actor.id === created.body.id)).toBe(true);
    const stale = await api.http().get('/v1/me').set('Cookie', before.cookieHeader);
    expect(stale.status).toBe(401);
    expect(stale.body.code).toBe('OFFICER_DISABLED');
  });

  it('refuses a callback whose state does not match the sign-in that started it', async () => {
    const tampered = await signInToConsole(api, provider, 'officer@dinum.gouv.fr', {
      tamper: (callback) => callback.searchParams.set('state', 'forged-state'),
    });
    expect(tampered.location).toBe('/?signin_error=state_mismatch');
    expect(tampered.cookieHeader).toBe('');

    const withoutTransaction = await api.http().get('/auth/callback?code=abc&state=xyz');
    expect(withoutTransaction.status).toBe(302);
    expect(withoutTransaction.headers.location).toBe('/?signin_error=state_mismatch');
  });

  it('lets two tabs of one browser sign in at once: each callback finds its own sign-in', async () => {
    const login = async (returnTo: string, cookie?: string) => {
      const res = await api
        .http()
        .get(`/auth/login?returnTo=${encodeURIComponent(returnTo)}`)
        .set('Cookie', cookie === undefined ? '' : `rempart_signin=${cookie}`);
      expect(res.status).toBe(302);
      return { location: res.headers.location as string, cookie: setCookies(res.headers['set-cookie']) };
    };
    const callback = async (location: string, cookie: string) => {
      const fromProvider = await provider.signIn(location, { email: 'officer@dinum.gouv.fr' });
      const res = await api
        .http()
        .get(`${fromProvider.pathname}${fromProvider.search}`)
        .set('Cookie', `rempart_signin=${cookie}`);
      expect(res.status).toBe(302);
      return { location: res.headers.location as string, cookies: setCookies(res.headers['set-cookie']) };
    };

    const devicesTab = await login('/devices');
    const rolloutsTab = await login('/rollouts', devicesTab.cookie.get('rempart_signin')!.value);
    const bothPending = rolloutsTab.cookie.get('rempart_signin')!.value;

    const first = await callback(devicesTab.location, bothPending);
    expect(first.location).toBe('/devices');
    expect(first.cookies.get('rempart_session')?.value).toBeTruthy();
    const stillPending = first.cookies.get('rempart_signin')!.value;
    expect(stillPending).not.toBe('');

    const second = await callback(rolloutsTab.location, stillPending);
    expect(second.location).toBe('/rollouts');
    expect(second.cookies.get('rempart_session')?.value).toBeTruthy();
    expect(second.cookies.get('rempart_signin')?.value).toBe('');

    // A sign-in's callback works once: replayed, it finds nothing.
    const replayed = await callback(devicesTab.location, stillPending);
    expect(replayed.location).toBe('/?signin_error=state_mismatch');
  });

  it('sends the browser back with provider_error when the provider answers the callback with an error', async () => {
    const denied = await signInToConsole(api, provider, 'officer@dinum.gouv.fr', {
      tamper: (callback) => {
        callback.searchParams.delete('code');
        callback.searchParams.set('error', 'access_denied');
      },
    });
    expect(denied.location).toBe('/?signin_error=provider_error');
    expect(denied.cookieHeader).toBe('');
  });

  it('reads /v1 with the session cookie, and refuses a change without the CSRF token', async () => {
    const signIn = await signInToConsole(api, provider, 'officer@dinum.gouv.fr');
    const groups = await api.http().get('/v1/groups').set('Cookie', signIn.cookieHeader);
    expect(groups.status).toBe(200);

    const withoutToken = await api
      .http()
      .post('/v1/groups')
      .set('Cookie', signIn.cookieHeader)
      .send({ slug: 'prefecture', name: 'Préfecture' });
    expect(withoutToken.status).toBe(403);
    expect(withoutToken.body.code).toBe('CSRF');

    const wrongToken = await api
      .http()
      .post('/v1/groups')
      .set('Cookie', signIn.cookieHeader)
      .set('X-CSRF-Token', 'A'.repeat(43))
      .send({ slug: 'prefecture', name: 'Préfecture' });
    expect(wrongToken.status).toBe(403);
    expect(wrongToken.body.code).toBe('CSRF');

    const withToken = await api
      .http()
      .post('/v1/groups')
      .set('Cookie', signIn.cookieHeader)
      .set('X-CSRF-Token', signIn.csrfToken!)
      .send({ slug: 'prefecture', name: 'Préfecture' });
    expect(withToken.status).toBe(201);
    const audit = await auditEvents('group.create');
    expect(audit.some((e) => e.actor.id === dinum.officerIds.officer && e.target.id === 'prefecture')).toBe(
      true,
    );
  });

  it("does not let one session's CSRF token serve another session", async () => {
    const first = await signInToConsole(api, provider, 'officer@dinum.gouv.fr');
    const second = await signInToConsole(api, provider, 'officer@dinum.gouv.fr');
    const crossed = await api
      .http()
      .post('/v1/groups')
      .set('Cookie', first.cookieHeader)
      .set('X-CSRF-Token', second.csrfToken!)
      .send({ slug: 'croise', name: 'Croisé' });
    expect(crossed.status).toBe(403);
    expect(crossed.body.code).toBe('CSRF');
  });

  it("lets an auditor's session read but not change anything", async () => {
    const signIn = await signInToConsole(api, provider, 'auditor@dinum.gouv.fr');
    expect((await api.http().get('/v1/groups').set('Cookie', signIn.cookieHeader)).status).toBe(200);
    const change = await api
      .http()
      .post('/v1/groups')
      .set('Cookie', signIn.cookieHeader)
      .set('X-CSRF-Token', signIn.csrfToken!)
      .send({ slug: 'auditee', name: 'Auditée' });
    expect(change.status).toBe(403);
    expect(change.body.code).toBe('ROLE_INSUFFICIENT');
  });

  it('signs out: CSRF token required, session deleted, both cookies cleared, provider sign-out offered', async () => {
    const signIn = await signInToConsole(api, provider, 'admin@dinum.gouv.fr');
    const forged = await api.http().post('/auth/logout').set('Cookie', signIn.cookieHeader);
    expect(forged.status).toBe(403);
    expect(forged.body.code).toBe('CSRF');
    expect((await api.http().get('/v1/me').set('Cookie', signIn.cookieHeader)).status).toBe(200);

    const logout = await api
      .http()
      .post('/auth/logout')
      .set('Cookie', signIn.cookieHeader)
      .set('X-CSRF-Token', signIn.csrfToken!);
    expect(logout.status).toBe(200);
    const endSession = new URL(logout.body.endSessionUrl);
    expect(endSession.origin).toBe(provider.issuer);
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(`${CONSOLE_URL}/`);
    expect(endSession.searchParams.get('id_token_hint')).toBeTruthy();
    const landed = await provider.signOut(logout.body.endSessionUrl);
    expect(`${landed.origin}${landed.pathname}`).toBe(`${CONSOLE_URL}/`);
    const cleared = setCookies(logout.headers['set-cookie']);
    for (const name of ['rempart_session', 'rempart_csrf']) {
      expect(cleared.get(name)?.value).toBe('');
      expect(cleared.get(name)?.attributes).toContain('Max-Age=0');
    }
    const after = await api.http().get('/v1/me').set('Cookie', signIn.cookieHeader);
    expect(after.status).toBe(401);
    const signOuts = await auditEvents('console.signout');
    expect(signOuts.some((e) => e.actor.id === dinum.officerIds.admin)).toBe(true);
  });

  it.each([
    'https://evil.example/phish',
    '//evil.example/phish',
    '/\\evil.example/phish',
    'javascript:alert(1)',
    'evil.example',
  ])('never sends the officer off the console after sign-in (returnTo %s)', async (returnTo) => {
    const signIn = await signInToConsole(api, provider, 'officer@dinum.gouv.fr', { returnTo });
    expect(signIn.location).toBe('/');
  });

  it('replaces the session a browser had when it signs in again', async () => {
    const first = await signInToConsole(api, provider, 'officer@dinum.gouv.fr');
    const login = await api.http().get('/auth/login').set('Cookie', first.cookieHeader);
    const transaction = setCookies(login.headers['set-cookie']).get('rempart_signin')!;
    const callback = await provider.signIn(login.headers.location as string, {
      email: 'auditor@dinum.gouv.fr',
    });
    const back = await api
      .http()
      .get(`${callback.pathname}${callback.search}`)
      .set('Cookie', `${first.cookieHeader}; rempart_signin=${transaction.value}`);
    expect(back.status).toBe(302);
    expect(back.headers.location).toBe('/');
    const replaced = await api.http().get('/v1/me').set('Cookie', first.cookieHeader);
    expect(replaced.status).toBe(401);
    expect(replaced.body.code).toBe('SESSION_UNKNOWN');
  });

  it('answers 401 on /v1 without a token or a session, and for an unknown session cookie', async () => {
    expect((await api.http().get('/v1/me')).status).toBe(401);
    const unknown = await api
      .http()
      .get('/v1/me')
      .set('Cookie', `rempart_session=rms_${'x'.repeat(43)}`);
    expect(unknown.status).toBe(401);
    expect(unknown.body.code).toBe('SESSION_UNKNOWN');
  });

  it('leaves bearer tokens as they were: no CSRF token needed, and the token wins over a cookie', async () => {
    const created = await api
      .http()
      .post('/v1/groups')
      .set({ Authorization: `Bearer ${dinum.tokens.officer}` })
      .send({ slug: 'script', name: 'Script' });
    expect(created.status).toBe(201);
    const auditorSession = await signInToConsole(api, provider, 'auditor@dinum.gouv.fr');
    const withBoth = await api
      .http()
      .post('/v1/groups')
      .set({ Authorization: `Bearer ${dinum.tokens.officer}` })
      .set('Cookie', auditorSession.cookieHeader)
      .send({ slug: 'script-2', name: 'Script 2' });
    expect(withBoth.status).toBe(201);
  });
});
