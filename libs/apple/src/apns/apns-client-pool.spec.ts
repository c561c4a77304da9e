import { randomBytes } from 'node:crypto';
import { FakeApns } from '../../../../test/fakes/fake-apns.js';
import { makePushCertificate } from '../../../../test/support/push-certificate.js';
import { ApnsClientPool } from './apns-client-pool.js';

describe('ApnsClientPool', () => {
  const first = makePushCertificate();
  const renewed = makePushCertificate();
  let fake: FakeApns;
  let pool: ApnsClientPool;
  const wake = (topic: string) => ({ deviceToken: randomBytes(32).toString('hex'), pushMagic: 'M', topic });

  beforeAll(async () => {
    fake = await FakeApns.start();
  });
  beforeEach(() => {
    pool = new ApnsClientPool({ url: fake.url, ca: fake.caPem, idleTimeoutMs: 60_000 });
  });
  afterEach(async () => {
    await pool.close();
  });
  afterAll(async () => {
    await fake.stop();
  });

  it('keeps one client, so one connection, per push certificate', async () => {
    const a = pool.clientFor(first, 'tenant-a');
    const again = pool.clientFor({ ...first }, 'tenant-a');
    expect(again).toBe(a);
    expect(pool.clientFor(renewed, 'tenant-b')).not.toBe(a);
    expect(pool.size).toBe(2);
    expect(a.fingerprintSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("replaces an owner's client when its certificate changes, after the old one has answered its pushes", async () => {
    const old = pool.clientFor(first, 'tenant-a');
    const inFlight = Promise.all([old.push(wake(first.topic)), old.push(wake(first.topic))]);
    const replacement = pool.clientFor(renewed, 'tenant-a');
    expect(replacement).not.toBe(old);
    expect(pool.size).toBe(1);
    expect((await inFlight).map((r) => r.outcome)).toEqual(['accepted', 'accepted']);
    expect((await replacement.push(wake(renewed.topic))).outcome).toBe('accepted');
    expect(await old.push(wake(first.topic))).toEqual({
      status: 0,
      outcome: 'retry',
      reason: 'ClientClosed',
    });
  });

  it('closes clients idle for idleTimeoutMs and keeps busy or recent ones', async () => {
    const idle = pool.clientFor(first);
    expect((await idle.push(wake(first.topic))).outcome).toBe('accepted');
    const recent = pool.clientFor(renewed);
    expect(await pool.closeIdle(Date.now() + 30_000)).toBe(0);
    expect(await pool.closeIdle(Date.now() + 61_000)).toBe(2);
    expect(pool.size).toBe(0);
    expect(pool.clientFor(first)).not.toBe(idle);
    expect(recent.idleSinceMs()).toBeDefined();
  });

  it('refuses new clients once closed', async () => {
    await pool.close();
    expect(() => pool.clientFor(first)).toThrow(expect.objectContaining({ code: 'POOL_CLOSED' }));
  });
});
