import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type ApiHarness, type SeededTenant, startApi } from '../support/api-harness.js';
import { CONSOLE_URL } from '../support/console-sign-in.js';

/** A port that refuses connections: bound, then closed. */
async function closedPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A provider that accepts connections and never answers. */
async function silentProvider(): Promise<{ url: string; stop: () => Promise<void> }> {
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('console sign-in when the provider is down or not configured', () => {
  let unreachable: ApiHarness;
  let slow: ApiHarness;
  let unconfigured: ApiHarness;
  let silent: { url: string; stop: () => Promise<void> };
  let dinum: SeededTenant;

  beforeAll(async () => {
    silent = await silentProvider();
    const oidc = { OIDC_CLIENT_ID: 'rempart', OIDC_CLIENT_SECRET: 'secret', CONSOLE_PUBLIC_URL: CONSOLE_URL };
    unreachable = await startApi({ ...oidc, OIDC_ISSUER_URL: `http://127.0.0.1:${await closedPort()}` });
    dinum = await unreachable.seedTenant('dinum');
    slow = await startApi({ ...oidc, OIDC_ISSUER_URL: silent.url, OIDC_TIMEOUT_SECONDS: '1' });
    unconfigured = await startApi();
  });
  afterAll(async () => {
    for (const api of [unreachable, slow, unconfigured]) await api?.close();
    await silent?.stop();
  });

  it('sends the browser back with provider_unreachable when the issuer refuses connections, and keeps serving', async () => {
    const login = await unreachable.http().get('/auth/login?returnTo=/devices');
    expect(login.status).toBe(302);
    expect(login.headers.location).toBe('/?signin_error=provider_unreachable');
    const me = await unreachable
      .http()
      .get('/v1/me')
      .set({ Authorization: `Bearer ${dinum.tokens.auditor}` });
    expect(me.status).toBe(200);
    expect((await unreachable.http().get('/readyz')).status).toBe(200);
  });

  it('gives up on a provider that never answers after OIDC_TIMEOUT_SECONDS', async () => {
    const login = await slow.http().get('/auth/login');
    expect(login.status).toBe(302);
    expect(login.headers.location).toBe('/?signin_error=provider_unreachable');
  });

  it('sends the browser back with not_configured when no provider is set', async () => {
    const login = await unconfigured.http().get('/auth/login');
    expect(login.status).toBe(302);
    expect(login.headers.location).toBe('/?signin_error=not_configured');
    const callback = await unconfigured.http().get('/auth/callback?code=x&state=y');
    expect(callback.headers.location).toBe('/?signin_error=not_configured');
  });
});
