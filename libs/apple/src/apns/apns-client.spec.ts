import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FakeApns } from '../../../../test/fakes/fake-apns.js';
import { makeFakeApnsTls } from '../../../../test/fakes/fake-apns-tls.js';
import { makeClientCertificate, makePushCertificate } from '../../../../test/support/push-certificate.js';
import { ApnsClient } from './apns-client.js';
import type { ApnsClientOptions } from './apns-types.js';

const token = (): string => randomBytes(32).toString('hex');
const UID = '0.9.2342.19200300.100.1.1';

describe('ApnsClient against the fake APNs', () => {
  const push = makePushCertificate();
  let fake: FakeApns;
  const clients: ApnsClient[] = [];
  const client = (options: Partial<ApnsClientOptions> = {}): ApnsClient => {
    const created = new ApnsClient({
      url: fake.url,
      ca: fake.caPem,
      certificatePem: push.certificatePem,
      privateKeyPem: push.privateKeyPem,
      ...options,
    });
    clients.push(created);
    return created;
  };
  const mdmPush = (deviceToken = token()) => ({ deviceToken, pushMagic: 'MAGIC-1', topic: push.topic });

  beforeAll(async () => {
    fake = await FakeApns.start();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    fake.clearFaults();
    fake.clearRecords();
  });
  afterAll(async () => {
    await fake.stop();
  });

  it('sends an MDM push that APNs accepts, with the PushMagic as the whole payload', async () => {
    const deviceToken = token();
    const result = await client().push({ ...mdmPush(deviceToken), pushMagic: 'B7A3-MAGIC', priority: 5 });
    expect(result).toEqual({
      status: 200,
      outcome: 'accepted',
      apnsId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(fake.pushes()).toEqual([
      {
        token: deviceToken,
        topic: push.topic,
        pushMagic: 'B7A3-MAGIC',
        status: 200,
        at: expect.any(Number),
        expiration: expect.any(Number),
        priority: 5,
      },
    ]);
  });

  it('sends apns-expiration one day ahead and apns-priority 10 by default, or the values given', async () => {
    const c = client();
    const now = Math.floor(Date.now() / 1000);
    await c.push(mdmPush());
    await c.push({ ...mdmPush(), expiration: 0, priority: 5, collapseId: 'rollout-42' });
    const [byDefault, given] = fake.pushes();
    expect(byDefault?.priority).toBe(10);
    expect(byDefault?.expiration).toBeGreaterThanOrEqual(now + 86_400);
    expect(byDefault?.expiration).toBeLessThanOrEqual(now + 86_400 + 5);
    expect(given).toMatchObject({ status: 200, expiration: 0, priority: 5, collapseId: 'rollout-42' });
  });

  it.each([
    [{ priority: 7 as 5 }, 'BadPriority'],
    [{ expiration: -1 }, 'BadExpirationDate'],
    [{ expiration: 1.5 }, 'BadExpirationDate'],
    [{ collapseId: 'x'.repeat(65) }, 'BadCollapseId'],
    [{ topic: '' }, 'MissingTopic'],
    [{ pushMagic: '' }, 'PayloadEmpty'],
  ])('refuses %j without a network call (%s)', async (override, reason) => {
    const c = client();
    expect(await c.push({ ...mdmPush(), ...override })).toEqual({ status: 0, outcome: 'rejected', reason });
    expect(c.stats.connectionsOpened).toBe(0);
  });

  it('reports 410 Unregistered as unregistered, with the timestamp, and leaves other tokens alone', async () => {
    const gone = token();
    fake.inject({ status: 410, reason: 'Unregistered' }, { token: gone });
    const c = client();
    const [a, b] = await Promise.all([c.push(mdmPush(gone)), c.push(mdmPush())]);
    expect(a).toMatchObject({
      status: 410,
      outcome: 'unregistered',
      reason: 'Unregistered',
      timestamp: expect.any(Number),
    });
    expect(b.outcome).toBe('accepted');
  });

  it('answers 429 TooManyRequests with retry, and the push goes through once APNs accepts again', async () => {
    const deviceToken = token();
    fake.inject({ status: 429, reason: 'TooManyRequests' }, { token: deviceToken, times: 2 });
    const c = client();
    const first = await c.push(mdmPush(deviceToken));
    const second = await c.push(mdmPush(deviceToken));
    const third = await c.push(mdmPush(deviceToken));
    expect([first, second].map((r) => [r.status, r.outcome, r.reason])).toEqual([
      [429, 'retry', 'TooManyRequests'],
      [429, 'retry', 'TooManyRequests'],
    ]);
    expect(third).toMatchObject({ status: 200, outcome: 'accepted' });
  });

  it.each([
    [500, 'InternalServerError', 'retry'],
    [503, 'ServiceUnavailable', 'retry'],
    [400, 'DeviceTokenNotForTopic', 'rejected'],
    [400, 'BadExpirationDate', 'rejected'],
    [413, 'PayloadTooLarge', 'rejected'],
    [403, 'BadCertificateEnvironment', 'certificate'],
    [403, 'BadCertificate', 'certificate'],
    [403, 'Forbidden', 'certificate'],
  ])('maps %i %s to %s with the reason kept', async (status, reason, outcome) => {
    fake.inject({ status, reason }, { times: 1 });
    expect(await client().push(mdmPush())).toMatchObject({ status, reason, outcome });
  });

  it('refuses a garbage device token without a network call', async () => {
    const c = client();
    for (const deviceToken of ['not-hex!', 'abc', '', '0g'.repeat(32)]) {
      expect(await c.push(mdmPush(deviceToken))).toEqual({
        status: 0,
        outcome: 'rejected',
        reason: 'BadDeviceToken',
      });
    }
    expect(c.stats.connectionsOpened).toBe(0);
    expect(fake.stats().requests).toBe(0);
  });

  it('times out a push APNs never answers (retry), and the next push still goes through', async () => {
    const hung = token();
    fake.inject({ hang: true }, { token: hung });
    const c = client({ requestTimeoutMs: 300 });
    const started = Date.now();
    expect(await c.push(mdmPush(hung))).toEqual({ status: 0, outcome: 'retry', reason: 'Timeout' });
    expect(Date.now() - started).toBeLessThan(2000);
    expect((await c.push(mdmPush())).outcome).toBe('accepted');
  });

  it('keeps the connection when one push hangs while others are answered', async () => {
    const hung = token();
    fake.inject({ hang: true }, { token: hung });
    const c = client({ requestTimeoutMs: 1500 }); // the 20 others answer well before
    const [stuck, ...others] = await Promise.all([
      c.push(mdmPush(hung)),
      ...Array.from({ length: 20 }, () => c.push(mdmPush())),
    ]);
    expect(stuck.reason).toBe('Timeout');
    expect(others.every((r) => r.outcome === 'accepted')).toBe(true);
    expect((await c.push(mdmPush())).outcome).toBe('accepted');
    expect(c.stats.connectionsOpened).toBe(1);
  });

  it('replaces a connection that answers nothing at all', async () => {
    fake.inject({ hang: true });
    const c = client({ requestTimeoutMs: 300 });
    const silent = await Promise.all(Array.from({ length: 5 }, () => c.push(mdmPush())));
    expect(silent.map((r) => r.reason)).toEqual(Array(5).fill('Timeout'));
    // The first timeout drops the silent connection; pushes still waiting on it are sent once more
    // on a fresh one (connectionRetries), which is just as silent, before they answer Timeout.
    expect(c.stats.connectionsOpened).toBe(2);
    fake.clearFaults();
    expect((await c.push(mdmPush())).outcome).toBe('accepted');
    expect(c.stats.connectionsOpened).toBe(3);
  });

  it('reconnects after the connection is reset and delivers the push', async () => {
    fake.inject({ reset: true }, { times: 1 });
    const c = client();
    expect(await c.push(mdmPush())).toMatchObject({ status: 200, outcome: 'accepted' });
    expect(c.stats.connectionsOpened).toBe(2);
    expect(fake.stats().tlsSessions).toBe(2);
  });

  it('gives up with retry/ConnectionLost when every connection is reset', async () => {
    fake.inject({ reset: true });
    const result = await client({ connectionRetries: 2 }).push(mdmPush());
    expect(result).toMatchObject({
      status: 0,
      outcome: 'retry',
      reason: expect.stringMatching(/^ConnectionLost/),
    });
    expect(fake.stats().tlsSessions).toBe(3);
  });

  it('moves to a new connection after GOAWAY without losing the push', async () => {
    const c = client();
    expect((await c.push(mdmPush())).outcome).toBe('accepted');
    fake.inject({ goaway: true }, { times: 1 });
    expect(await c.push(mdmPush())).toMatchObject({ status: 200, outcome: 'accepted' });
    expect(c.stats.connectionsOpened).toBe(2);
  });

  it('answers TopicDisallowed (certificate) for a topic the certificate does not carry', async () => {
    const other = `com.apple.mgmt.External.${randomBytes(8).toString('hex')}`;
    expect(await client().push({ ...mdmPush(), topic: other })).toMatchObject({
      status: 400,
      outcome: 'certificate',
      reason: 'TopicDisallowed',
    });
  });

  it('answers BadCertificate (certificate) for a client certificate that is not an MDM push certificate', async () => {
    const appCert = await makeClientCertificate({
      subject: [{ shortName: 'CN', value: 'Not a push certificate' }],
    });
    expect(await client(appCert).push(mdmPush())).toMatchObject({
      status: 403,
      outcome: 'certificate',
      reason: 'BadCertificate',
    });
  });

  it('stops on an expired push certificate before connecting, every time, without throwing', async () => {
    const expired = await makeClientCertificate({
      subject: [
        { type: UID, value: push.topic },
        { shortName: 'CN', value: 'APSP:expired' },
      ],
      notBefore: new Date(Date.now() - 400 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    const c = client(expired);
    const results = await Promise.all([c.push(mdmPush()), c.push(mdmPush())]);
    expect(results).toEqual([
      { status: 0, outcome: 'certificate', reason: 'ExpiredCertificate' },
      { status: 0, outcome: 'certificate', reason: 'ExpiredCertificate' },
    ]);
    expect(c.stats.connectionsOpened).toBe(0);
  });

  it('stops, without rejecting, on a certificate TLS refuses to use (RSA-512)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rempart-apns-weak-'));
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:512',
          '-nodes',
          '-keyout',
          'k.pem',
          '-out',
          'c.pem',
          '-days',
          '2',
        ].concat(['-subj', `/UID=${push.topic}/CN=weak`]),
        { cwd: dir, stdio: 'pipe' },
      );
      const weak = client({
        certificatePem: readFileSync(path.join(dir, 'c.pem'), 'utf8'),
        privateKeyPem: readFileSync(path.join(dir, 'k.pem'), 'utf8'),
      });
      const results = await Promise.all([weak.push(mdmPush()), weak.push(mdmPush())]);
      for (const result of results) {
        expect(result).toEqual({
          status: 0,
          outcome: 'certificate',
          reason: 'InvalidCertificate: ERR_SSL_EE_KEY_TOO_SMALL',
        });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops on a private key that does not match the certificate', async () => {
    const other = makePushCertificate();
    const result = await client({ privateKeyPem: other.privateKeyPem }).push(mdmPush());
    expect(result).toEqual({ status: 0, outcome: 'certificate', reason: 'InvalidCertificate' });
  });

  it('answers retry, without crashing or sending, when the server hangs up on the certificate after TLS', async () => {
    // Node's TLS server checks the client certificate after the handshake and closes the socket
    // without a TLS alert (Apple sends one: connection-errors.spec.ts covers that classification).
    const strict = await FakeApns.start({ requireClientCa: (await makeFakeApnsTls()).caPem });
    try {
      const c = client({ url: strict.url, ca: strict.caPem });
      const results = await Promise.all([c.push(mdmPush()), c.push(mdmPush())]);
      for (const result of results) {
        expect(result).toMatchObject({
          status: 0,
          outcome: 'retry',
          reason: expect.stringMatching(/^ConnectionLost/),
        });
      }
      expect(strict.stats()).toMatchObject({ requests: 0, accepted: 0 });
    } finally {
      await strict.stop();
    }
  });

  it('stops when the server certificate is not trusted (no APNS_CA_FILE for a private CA)', async () => {
    const result = await client({ ca: undefined }).push(mdmPush());
    expect(result).toMatchObject({
      status: 0,
      outcome: 'certificate',
      reason: expect.stringMatching(/^ServerCertificateUntrusted/),
    });
  });

  it('answers retry/ConnectTimeout when the server accepts TCP but never completes TLS', async () => {
    const sockets: Socket[] = [];
    const mute = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = mute.address() as AddressInfo;
      const c = client({ url: `https://127.0.0.1:${port}`, connectTimeoutMs: 300 });
      const results = await Promise.all([c.push(mdmPush()), c.push(mdmPush())]);
      expect(results).toEqual([
        { status: 0, outcome: 'retry', reason: 'ConnectTimeout' },
        { status: 0, outcome: 'retry', reason: 'ConnectTimeout' },
      ]);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => mute.close(resolve));
    }
  });

  it('answers retry/ConnectionLost when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    expect(await client({ url: `https://127.0.0.1:${port}` }).push(mdmPush())).toEqual({
      status: 0,
      outcome: 'retry',
      reason: 'ConnectionLost: ECONNREFUSED',
    });
  });

  it('carries 1,000 concurrent pushes over one TLS connection', async () => {
    const c = client();
    const results = await Promise.all(Array.from({ length: 1000 }, () => c.push(mdmPush())));
    expect(results.filter((r) => r.outcome === 'accepted')).toHaveLength(1000);
    expect(c.stats.connectionsOpened).toBe(1);
    expect(fake.stats()).toMatchObject({ tlsSessions: 1, accepted: 1000 });
  });

  it('keeps at most maxConcurrentStreams pushes in flight and queues the rest', async () => {
    const c = client({ maxConcurrentStreams: 25 });
    const all = await Promise.all(Array.from({ length: 300 }, () => c.push(mdmPush())));
    expect(all.every((r) => r.outcome === 'accepted')).toBe(true);
    expect(fake.stats().peakInFlight).toBeLessThanOrEqual(25);
    expect(fake.stats().peakInFlight).toBeGreaterThan(1);
  });

  it("respects the server's SETTINGS_MAX_CONCURRENT_STREAMS when it is lower", async () => {
    const narrow = await FakeApns.start({ maxConcurrentStreams: 10 });
    try {
      const c = client({ url: narrow.url, ca: narrow.caPem, maxConcurrentStreams: 500 });
      const all = await Promise.all(Array.from({ length: 200 }, () => c.push(mdmPush())));
      expect(all.every((r) => r.outcome === 'accepted')).toBe(true);
      expect(narrow.stats().peakInFlight).toBeLessThanOrEqual(10);
    } finally {
      await narrow.stop();
    }
  });

  it('answers pushes queued at close() with retry/ClientClosed and refuses new ones', async () => {
    const c = client();
    const pending = Promise.all(Array.from({ length: 50 }, () => c.push(mdmPush())));
    await c.close();
    const results = await pending;
    expect(results.some((r) => r.reason === 'ClientClosed')).toBe(true);
    expect(results.every((r) => r.outcome === 'accepted' || r.reason === 'ClientClosed')).toBe(true);
    expect(await c.push(mdmPush())).toEqual({ status: 0, outcome: 'retry', reason: 'ClientClosed' });
  });
});
