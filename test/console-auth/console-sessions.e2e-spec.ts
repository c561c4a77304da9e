import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConsoleSessionsService, OfficersService } from '#libs/auth';
import { type ApiHarness, type SeededTenant, startApi } from '../support/api-harness.js';
import { CONSOLE_URL, type SignInOutcome, signInToConsole } from '../support/console-sign-in.js';
import { type OidcTestProvider, startOidcProvider } from '../fakes/oidc-provider.js';

interface ListedSession {
  id: string;
  officer: { id: string; email: string; role: string };
  createdAt: string;
  lastSeenAt: string;
  idleExpiresAt: string;
  expiresAt: string;
  current: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const IDLE_SECONDS = 1800;
const MAX_SECONDS = 43200;

/** An admin sees the console sessions of their tenant and ends one: its browser is out at once. */
describe('console sessions: an admin lists and revokes them', () => {
  let provider: OidcTestProvider;
  let api: ApiHarness;
  let dinum: SeededTenant;
  let autre: SeededTenant;
  let admin: SignInOutcome;
  let officer: SignInOutcome;
  let auditor: SignInOutcome;

  const bearer = (tenant: SeededTenant, role: 'admin' | 'officer' | 'auditor') => ({
    Authorization: `Bearer ${tenant.tokens[role]}`,
  });
  const withCookie = (signIn: SignInOutcome) => ({
    Cookie: signIn.cookieHeader,
    'X-CSRF-Token': signIn.csrfToken!,
  });
  const secretOf = (signIn: SignInOutcome) => signIn.cookies.get('rempart_session')!.value;

  async function list(headers: Record<string, string>): Promise<ListedSession[]> {
    const res = await api.http().get('/v1/console-sessions').set(headers);
    expect(res.status).toBe(200);
    return res.body as ListedSession[];
  }
  /** The listed session of a browser, found through the officer it signed in (one session each here). */
  async function sessionOf(email: string, headers = bearer(dinum, 'admin')): Promise<ListedSession> {
    const found = (await list(headers)).filter((s) => s.officer.email === email);
    expect(found).toHaveLength(1);
    return found[0];
  }

  beforeAll(async () => {
    provider = await startOidcProvider({
      redirectUris: [`${CONSOLE_URL}/auth/callback`],
      users: [
        { email: 'admin@dinum.gouv.fr' },
        { email: 'officer@dinum.gouv.fr' },
        { email: 'auditor@dinum.gouv.fr' },
      ],
    });
    api = await startApi({
      OIDC_ISSUER_URL: provider.issuer,
      OIDC_CLIENT_ID: provider.clientId,
      OIDC_CLIENT_SECRET: provider.clientSecret,
      OIDC_TENANT: 'dinum',
      CONSOLE_PUBLIC_URL: CONSOLE_URL,
      CONSOLE_SESSION_IDLE_SECONDS: String(IDLE_SECONDS),
      CONSOLE_SESSION_MAX_SECONDS: String(MAX_SECONDS),
    });
    dinum = await api.seedTenant('dinum');
    autre = await api.seedTenant('autre');
    admin = await signInToConsole(api, provider, 'admin@dinum.gouv.fr');
    officer = await signInToConsole(api, provider, 'officer@dinum.gouv.fr');
    auditor = await signInToConsole(api, provider, 'auditor@dinum.gouv.fr');
    for (const signIn of [admin, officer, auditor]) expect(signIn.cookieHeader).not.toBe('');
  });
  afterAll(async () => {
    await api?.close();
    await provider?.stop();
  });

  it('lists the live sessions of the tenant, newest first, with their officer and timeouts, and marks the caller’s own', async () => {
    const sessions = await list(withCookie(admin));
    expect(sessions.map((s) => s.officer.email)).toEqual([
      'auditor@dinum.gouv.fr',
      'officer@dinum.gouv.fr',
      'admin@dinum.gouv.fr',
    ]);
    for (let i = 1; i < sessions.length; i++)
      expect(Date.parse(sessions[i - 1].createdAt)).toBeGreaterThanOrEqual(Date.parse(sessions[i].createdAt));
    expect(sessions.map((s) => s.current)).toEqual([false, false, true]);
    expect(sessions[1]).toEqual({
      id: expect.stringMatching(UUID),
      officer: { id: dinum.officerIds.officer, email: 'officer@dinum.gouv.fr', role: 'officer' },
      createdAt: expect.any(String),
      lastSeenAt: expect.any(String),
      idleExpiresAt: expect.any(String),
      expiresAt: expect.any(String),
      current: false,
    });
    for (const s of sessions) {
      const created = Date.parse(s.createdAt);
      expect(Date.parse(s.expiresAt) - created).toBeGreaterThanOrEqual(MAX_SECONDS * 1000 - 2000);
      expect(Date.parse(s.expiresAt) - created).toBeLessThanOrEqual(MAX_SECONDS * 1000 + 2000);
      expect(Date.parse(s.idleExpiresAt) - Date.parse(s.lastSeenAt)).toBe(IDLE_SECONDS * 1000);
    }
    expect(new Set(sessions.map((s) => s.id)).size).toBe(3);

    // Exactly the fields the OpenAPI document names.
    const { body: document } = await api.http().get('/docs/openapi.json').expect(200);
    const schemas = document.components.schemas as Record<string, { properties: Record<string, unknown> }>;
    expect(Object.keys(schemas.ConsoleSessionResponse.properties).sort()).toEqual(
      Object.keys(sessions[0]).sort(),
    );
    expect(Object.keys(schemas.OfficerRefResponse.properties).sort()).toEqual(
      Object.keys(sessions[0].officer).sort(),
    );
    const revoke = document.paths['/v1/console-sessions/{id}'].delete.responses;
    expect(Object.keys(revoke).sort()).toEqual(['204', '401', '403', '404', '429']);

    // With a bearer token, no session is the caller's.
    expect((await list(bearer(dinum, 'admin'))).map((s) => s.current)).toEqual([false, false, false]);
  });

  it('never shows the cookie, its hash or the internal row id', async () => {
    const res = await api.http().get('/v1/console-sessions').set(bearer(dinum, 'admin'));
    const body = JSON.stringify(res.body);
    const rows = await api.sql(`SELECT id, secret_hash, csrf_hash, id_token FROM console_sessions`);
    for (const signIn of [admin, officer, auditor]) {
      expect(body).not.toContain(secretOf(signIn));
      expect(body).not.toContain(signIn.csrfToken!);
      expect(body).not.toContain(createHash('sha256').update(secretOf(signIn)).digest('hex'));
    }
    for (const row of rows.rows as Array<Record<string, string | null>>) {
      for (const value of Object.values(row)) if (value) expect(body).not.toContain(value.trim());
    }
  });

  it('refuses officers and auditors (403 ROLE_INSUFFICIENT), with a cookie or a token', async () => {
    const target = await sessionOf('auditor@dinum.gouv.fr');
    const attempts = [
      api.http().get('/v1/console-sessions').set(withCookie(officer)),
      api.http().get('/v1/console-sessions').set(withCookie(auditor)),
      api.http().get('/v1/console-sessions').set(bearer(dinum, 'officer')),
      api.http().get('/v1/console-sessions').set(bearer(dinum, 'auditor')),
      api.http().delete(`/v1/console-sessions/${target.id}`).set(withCookie(officer)),
      api.http().delete(`/v1/console-sessions/${target.id}`).set(bearer(dinum, 'auditor')),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('ROLE_INSUFFICIENT');
    }
    expect((await api.http().get('/v1/me').set(withCookie(auditor))).status).toBe(200);
  });

  it('needs the CSRF token to revoke with the session cookie', async () => {
    const target = await sessionOf('auditor@dinum.gouv.fr');
    const res = await api
      .http()
      .delete(`/v1/console-sessions/${target.id}`)
      .set('Cookie', admin.cookieHeader);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('CSRF');
    expect((await api.http().get('/v1/me').set(withCookie(auditor))).status).toBe(200);
  });

  it('revokes one session: its browser gets 401 SESSION_UNKNOWN, the others still work, and it is audited', async () => {
    const target = await sessionOf('officer@dinum.gouv.fr');
    const revoked = await api.http().delete(`/v1/console-sessions/${target.id}`).set(withCookie(admin));
    expect(revoked.status).toBe(204);
    expect(revoked.text).toBe('');

    const out = await api.http().get('/v1/me').set(withCookie(officer));
    expect(out.status).toBe(401);
    expect(out.body.code).toBe('SESSION_UNKNOWN');
    expect((await api.http().get('/v1/me').set(withCookie(auditor))).status).toBe(200);
    expect((await api.http().get('/v1/me').set(withCookie(admin))).status).toBe(200);
    expect((await list(withCookie(admin))).map((s) => s.officer.email)).toEqual([
      'auditor@dinum.gouv.fr',
      'admin@dinum.gouv.fr',
    ]);
    // The officer is not disabled: signing in again works.
    const again = await signInToConsole(api, provider, 'officer@dinum.gouv.fr');
    expect((await api.http().get('/v1/me').set(withCookie(again))).status).toBe(200);
    officer = again;

    const events = await api
      .http()
      .get('/v1/audit-events?action=console.session_revoked')
      .set(bearer(dinum, 'admin'));
    expect(events.status).toBe(200);
    expect(events.body.items).toEqual([
      expect.objectContaining({
        action: 'console.session_revoked',
        actor: { id: dinum.officerIds.admin, label: 'admin@dinum.gouv.fr' },
        target: { type: 'console_session', id: target.id },
        before: expect.objectContaining({ officer: 'officer@dinum.gouv.fr' }),
      }),
    ]);

    // Gone: a second revocation is a 404 with the usual error body.
    const twice = await api.http().delete(`/v1/console-sessions/${target.id}`).set(bearer(dinum, 'admin'));
    expect(twice.status).toBe(404);
    expect(twice.body).toMatchObject({ statusCode: 404, error: 'Not Found', code: 'NOT_FOUND' });
    expect(twice.body.requestId).toEqual(expect.any(String));
  });

  it('answers 404 for an unknown or malformed id', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-session', secretOf(auditor)]) {
      const res = await api
        .http()
        .delete(`/v1/console-sessions/${encodeURIComponent(id)}`)
        .set(bearer(dinum, 'admin'));
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
    }
    expect((await api.http().get('/v1/me').set(withCookie(auditor))).status).toBe(200);
  });

  it('keeps tenants apart: another tenant’s sessions are neither listed nor revocable', async () => {
    // OIDC_TENANT is dinum: the other tenant's session is opened the way the callback opens one.
    const autreAdmin = await api.app.get(OfficersService).get(autre.id, autre.officerIds.admin);
    const opened = await api.app.get(ConsoleSessionsService).open(autreAdmin, null);
    const autreCookie = {
      Cookie: `rempart_session=${opened.secret}; rempart_csrf=${opened.csrfToken}`,
      'X-CSRF-Token': opened.csrfToken,
    };
    const autreSessions = await list(autreCookie);
    expect(autreSessions).toEqual([
      expect.objectContaining({
        officer: expect.objectContaining({ email: 'admin@autre.gouv.fr' }),
        current: true,
      }),
    ]);
    const autreSession = autreSessions[0];
    const dinumSessions = await list(bearer(dinum, 'admin'));
    expect(dinumSessions.map((s) => s.id)).not.toContain(autreSession.id);
    expect(dinumSessions.every((s) => s.officer.email.endsWith('@dinum.gouv.fr'))).toBe(true);

    const fromDinum = await api
      .http()
      .delete(`/v1/console-sessions/${autreSession.id}`)
      .set(withCookie(admin));
    expect(fromDinum.status).toBe(404);
    expect(fromDinum.body.code).toBe('NOT_FOUND');
    expect((await api.http().get('/v1/me').set(autreCookie)).status).toBe(200);

    const dinumAuditor = dinumSessions.find((s) => s.officer.email === 'auditor@dinum.gouv.fr')!;
    const fromAutre = await api
      .http()
      .delete(`/v1/console-sessions/${dinumAuditor.id}`)
      .set(bearer(autre, 'admin'));
    expect(fromAutre.status).toBe(404);
    expect((await api.http().get('/v1/me').set(withCookie(auditor))).status).toBe(200);
    const autreEvents = await api
      .http()
      .get('/v1/audit-events?action=console.session_revoked')
      .set(bearer(autre, 'admin'));
    expect(autreEvents.body.items).toEqual([]);
  });

  it('leaves out sessions past their idle or absolute timeout and those of disabled officers', async () => {
    const idle = await signInToConsole(api, provider, 'auditor@dinum.gouv.fr');
    const old = await signInToConsole(api, provider, 'auditor@dinum.gouv.fr');
    const hash = (signIn: SignInOutcome) => createHash('sha256').update(secretOf(signIn)).digest('hex');
    await api.sql(
      `UPDATE console_sessions SET last_seen_at = now() - make_interval(secs => $2) WHERE secret_hash = $1`,
      [hash(idle), IDLE_SECONDS + 1],
    );
    await api.sql(
      `UPDATE console_sessions SET expires_at = now() - interval '1 second' WHERE secret_hash = $1`,
      [hash(old)],
    );
    // Both are refused at their next request, so neither is listed.
    for (const signIn of [idle, old]) {
      const res = await api.http().get('/v1/me').set(withCookie(signIn));
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('SESSION_EXPIRED');
    }
    const auditors = (await list(bearer(dinum, 'admin'))).filter((s) => s.officer.role === 'auditor');
    expect(auditors).toHaveLength(1);

    const created = await api
      .http()
      .post('/v1/officers')
      .set(bearer(dinum, 'admin'))
      .send({ email: 'partant@dinum.gouv.fr', role: 'officer' });
    expect(created.status).toBe(201);
    const departing = await api.app.get(OfficersService).get(dinum.id, created.body.id);
    await api.app.get(ConsoleSessionsService).open(departing, null);
    expect((await list(bearer(dinum, 'admin'))).map((s) => s.officer.email)).toContain(
      'partant@dinum.gouv.fr',
    );
    expect(
      (await api.http().delete(`/v1/officers/${created.body.id}`).set(bearer(dinum, 'admin'))).status,
    ).toBe(200);
    expect((await list(bearer(dinum, 'admin'))).map((s) => s.officer.email)).not.toContain(
      'partant@dinum.gouv.fr',
    );
  });
});
