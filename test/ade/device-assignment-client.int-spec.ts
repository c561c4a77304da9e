import { afterEach, describe, expect, it } from '@jest/globals';
import { AdeApiError, DeviceAssignmentClient, MemoryAdeSessionStore } from '#libs/apple';
import { AdeSessionStores } from '#libs/apple-server';
import { loadConfig } from '#libs/config';
import { FakeAde, type FakeAdeOptions } from '../fakes/fake-ade.js';
import { TEST_REDIS_URL, uniqueName } from '../support/test-environment.js';

/** The Device Assignment API client against the fake, which checks OAuth with its own RFC 5849 code. */
describe('Device Assignment API client against the fake ABM', () => {
  let fake: FakeAde;
  const sleeps: number[] = [];

  async function client(options: FakeAdeOptions = {}, protocolVersion?: number) {
    fake = new FakeAde(options);
    await fake.start();
    return new DeviceAssignmentClient({
      baseUrl: fake.url,
      credentials: fake.credentials,
      sessions: new MemoryAdeSessionStore(),
      userAgent: 'rempart/0.1',
      protocolVersion,
      retry: { attempts: 4, baseDelayMs: 10, maxDelayMs: 100 },
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
  }
  afterEach(async () => {
    sleeps.length = 0;
    await fake.stop();
  });

  it('opens a session with a valid OAuth 1.0a header and sends the protocol version and a plain User-Agent', async () => {
    const ade = await client();
    await expect(ade.account()).resolves.toMatchObject({ server_name: 'Rempart DINUM' });
    const [session, account] = fake.requests;
    expect(session).toMatchObject({ path: '/session', status: 200 });
    expect(session.headers.authorization).toMatch(/^OAuth realm="ADM", /);
    expect(account.headers).toMatchObject({ 'x-server-protocol-version': '10', 'user-agent': 'rempart/0.1' });
  });

  it('is refused by the fake when its secrets are wrong (the fake really checks the signature)', async () => {
    const ade = await client();
    const wrong = new DeviceAssignmentClient({
      baseUrl: fake.url,
      credentials: { ...fake.credentials, accessSecret: 'AS_wrong' },
      sessions: new MemoryAdeSessionStore(),
      userAgent: 'rempart/0.1',
    });
    await expect(wrong.account()).rejects.toMatchObject({ kind: 'token_rejected', status: 401 });
    await expect(ade.account()).resolves.toBeDefined();
  });

  it('re-authenticates once when the session expires (401, or 403 FORBIDDEN) and replays the call', async () => {
    for (const answer of [401, 403] as const) {
      const ade = await client({ sessionMaxRequests: 2, expiredSessionAnswer: answer });
      for (let i = 0; i < 5; i++) await ade.account();
      expect(fake.requestsTo('/session').length).toBe(3);
      expect(fake.requestsTo('/account').filter((r) => r.status === 200)).toHaveLength(5);
      await fake.stop();
    }
    fake = new FakeAde();
    await fake.start();
  });

  it('uses a session Apple rotated in X-ADM-Auth-Session (the old one is dead) without logging in again', async () => {
    const ade = await client({ rotateSessionEvery: 2, sessionMaxRequests: 3 });
    for (let i = 0; i < 10; i++) await ade.account();
    expect(fake.requestsTo('/session')).toHaveLength(1);
    expect(fake.requestsTo('/account').every((r) => r.status === 200)).toBe(true);
  });

  it('shares one session through Redis between workers, and a rotated one reaches them all', async () => {
    await client({ rotateSessionEvery: 3 });
    const stores = new AdeSessionStores(
      loadConfig({ REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: uniqueName('ade') }),
    );
    const worker = () =>
      new DeviceAssignmentClient({
        baseUrl: fake.url,
        credentials: fake.credentials,
        sessions: stores.forAccount('account-1'),
        userAgent: 'rempart/0.1',
      });
    try {
      const [a, b] = [worker(), worker()];
      for (let i = 0; i < 6; i++) await (i % 2 ? a : b).account();
      expect(fake.requestsTo('/session')).toHaveLength(1);
      expect(fake.requestsTo('/account').every((r) => r.status === 200)).toBe(true);
    } finally {
      await stores.onModuleDestroy();
    }
  });

  it('backs off on 429 and 5xx, then succeeds; gives up with a classified error after its attempts', async () => {
    const ade = await client();
    fake.rateLimitNext = 2;
    fake.serverErrorNext = 1;
    await expect(ade.account()).resolves.toBeDefined();
    expect(sleeps).toEqual([10, 20, 40]);
    fake.serverErrorNext = 10;
    await expect(ade.account()).rejects.toMatchObject({ kind: 'server_error', status: 500 });
  });

  it('classifies T_C_NOT_SIGNED and a revoked token, on /session as on any call', async () => {
    const ade = await client();
    fake.termsNotSigned = true;
    const error = await ade.account().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdeApiError);
    expect(error).toMatchObject({ kind: 'terms_not_signed', code: 'T_C_NOT_SIGNED' });
    expect((error as Error).message).toMatch(/accept the new terms/);
    fake.termsNotSigned = false;
    await ade.account();
    fake.tokenRejected = true;
    await expect(ade.account()).rejects.toMatchObject({ kind: 'token_rejected' });
  });

  it('pages a fetch, then syncs changes; cursor errors are classified', async () => {
    const ade = await client();
    fake.addDevices(5);
    const first = await ade.fetchDevices(null, 2);
    expect(first).toMatchObject({ more_to_follow: true });
    expect(first.devices).toHaveLength(2);
    let page = first;
    while (page.more_to_follow) page = await ade.fetchDevices(page.cursor, 2);
    await expect(ade.fetchDevices(page.cursor, 2)).rejects.toMatchObject({ kind: 'cursor_exhausted' });
    fake.addDevices(1);
    const changes = await ade.syncDevices(page.cursor, 100);
    expect(changes.devices.map((d) => d.op_type)).toEqual(['added']);
    await expect(ade.syncDevices('garbage', 100)).rejects.toMatchObject({ kind: 'cursor_invalid' });
    fake.advanceClock(8 * 24 * 60 * 60 * 1000);
    await expect(ade.syncDevices(changes.cursor, 100)).rejects.toMatchObject({ kind: 'cursor_expired' });
  });

  it('gets FLAGS_INVALID for a removable-only-when-supervised violation, and THROTTLED only from protocol 9', async () => {
    const ade = await client({}, 8);
    await expect(
      ade.defineProfile({
        profile_name: 'x',
        url: 'https://mdm.example/ade',
        is_supervised: false,
        is_mandatory: true,
        is_mdm_removable: false,
        await_device_configured: true,
        skip_setup_items: [],
        org_magic: '1',
      }),
    ).rejects.toMatchObject({ kind: 'bad_request', code: 'FLAGS_INVALID' });
    const [serial] = fake.addDevices(1);
    fake.throttleSerials.add(serial);
    const { profile_uuid } = await ade.defineProfile({
      profile_name: 'x',
      url: 'https://mdm.example/ade',
      is_supervised: true,
      is_mandatory: true,
      is_mdm_removable: false,
      await_device_configured: true,
      skip_setup_items: [],
      org_magic: '1',
    });
    expect(profile_uuid).toMatch(/^[0-9A-F]{32}$/);
    await expect(ade.assignProfile(profile_uuid, [serial, 'UNKNOWN1'])).resolves.toEqual({
      profile_uuid,
      devices: { [serial]: 'FAILED', UNKNOWN1: 'NOT_ACCESSIBLE' },
    });
  });
});
