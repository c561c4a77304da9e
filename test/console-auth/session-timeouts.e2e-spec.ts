import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type ApiHarness, startApi } from '../support/api-harness.js';
import { CONSOLE_URL, signInToConsole } from '../support/console-sign-in.js';
import { type OidcTestProvider, startOidcProvider } from '../fakes/oidc-provider.js';

/** Expiry is checked against elapsed time only from below: a loaded machine can only make a test wait longer. */
describe('console session timeouts', () => {
  let provider: OidcTestProvider;
  const apis: ApiHarness[] = [];

  async function apiWith(timeouts: Record<string, string>) {
    const api = await startApi({
      OIDC_ISSUER_URL: provider.issuer,
      OIDC_CLIENT_ID: provider.clientId,
      OIDC_CLIENT_SECRET: provider.clientSecret,
      CONSOLE_PUBLIC_URL: CONSOLE_URL,
      ...timeouts,
    });
    apis.push(api);
    await api.seedTenant('dinum');
    return api;
  }

  beforeAll(async () => {
    // No redirect URI given: the provider accepts the console's callback on any loopback port.
    provider = await startOidcProvider({ users: [{ email: 'officer@dinum.gouv.fr' }] });
  });
  afterAll(async () => {
    for (const api of apis) await api.close();
    await provider?.stop();
  });

  it('ends a session left idle longer than the idle timeout with 401 SESSION_EXPIRED', async () => {
    const api = await apiWith({
      CONSOLE_SESSION_IDLE_SECONDS: '2',
      CONSOLE_SESSION_MAX_SECONDS: '3600',
      AUTH_FAILURE_LIMIT: '2',
    });
    const signIn = await signInToConsole(api, provider, 'officer@dinum.gouv.fr');
    expect((await api.http().get('/v1/me').set('Cookie', signIn.cookieHeader)).status).toBe(200);
    await sleep(2500);
    const idle = await api.http().get('/v1/me').set('Cookie', signIn.cookieHeader);
    expect(idle.status).toBe(401);
    expect(idle.body.code).toBe('SESSION_EXPIRED');
    // An expired session stays expired: coming back does not revive it. Nor is it taken for
    // guessing: a page still polling with it does not get the office's address refused (429).
    for (let i = 0; i < 3; i++) {
      const again = await api.http().get('/v1/me').set('Cookie', signIn.cookieHeader);
      expect(again.status).toBe(401);
      expect(again.body.code).toBe('SESSION_EXPIRED');
    }
  });

  it('refuses a sign-in that comes back from the provider after CONSOLE_SIGNIN_TIMEOUT_SECONDS with expired', async () => {
    const api = await apiWith({ CONSOLE_SIGNIN_TIMEOUT_SECONDS: '1' });
    const late = await signInToConsole(api, provider, 'officer@dinum.gouv.fr', { tamper: () => sleep(1500) });
    expect(late.location).toBe('/?signin_error=expired');
    expect(late.cookieHeader).toBe('');
  });

  it('ends a session at the absolute timeout however active it is', async () => {
    const api = await apiWith({ CONSOLE_SESSION_IDLE_SECONDS: '3600', CONSOLE_SESSION_MAX_SECONDS: '3' });
    const signIn = await signInToConsole(api, provider, 'officer@dinum.gouv.fr');
    const signedInAt = Date.now();
    let last = await api.http().get('/v1/me').set('Cookie', signIn.cookieHeader);
    expect(last.status).toBe(200);
    // Stay active (a request every 200 ms) until the session ends, or give up after a minute.
    while (last.status === 200 && Date.now() - signedInAt < 60_000) {
      await sleep(200);
      last = await api.http().get('/v1/me').set('Cookie', signIn.cookieHeader);
    }
    expect(last.status).toBe(401);
    expect(last.body.code).toBe('SESSION_EXPIRED');
    expect(Date.now() - signedInAt).toBeGreaterThanOrEqual(2000);
  });
});
