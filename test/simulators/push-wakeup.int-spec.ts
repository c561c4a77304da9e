import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { ApnsClient, decodePlistDict } from '#libs/apple';
import { FakeApns } from '../fakes/fake-apns.js';
import { makeClientCertificate, makePushCertificate } from '../support/push-certificate.js';
import { SimulatedIphone } from './iphone-simulator.js';
import { wakeOnPush } from './push-wakeup.js';
import { startRecordingServer, type RecordingServer } from './test-servers.js';

/*
 * The wiring between the fake APNs and simulated iPhones, with a scripted MDM server: a push wakes
 * the phone it is for, and only with its PushMagic. test/mdm/apns-wakeup.e2e-spec.ts does the same
 * against the real mdm process.
 */

describe('wakeOnPush', () => {
  const push = makePushCertificate();
  let identity: { certificatePem: string; privateKeyPem: string };
  let fake: FakeApns;
  let client: ApnsClient;
  let mdm: RecordingServer;
  let inFlight = 0;
  let peak = 0;
  let reply: () => { status?: number; body?: string } = () => ({});
  let delayMs = 20;

  beforeAll(async () => {
    identity = await makeClientCertificate({
      subject: [{ shortName: 'CN', value: 'simulated device identity' }],
    });
    fake = await FakeApns.start();
    client = new ApnsClient({ url: fake.url, ca: fake.caPem, ...push });
    mdm = await startRecordingServer(async () => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      inFlight -= 1;
      return reply();
    });
  });
  afterEach(() => {
    mdm.requests.length = 0;
    peak = 0;
    reply = () => ({});
    delayMs = 20;
  });
  afterAll(async () => {
    await client.close();
    await fake.stop();
    await mdm.close();
  });

  function enrolledPhone(): SimulatedIphone {
    const phone = new SimulatedIphone({ supervised: true, installedApps: [] });
    phone.useEnrollment({
      serverUrl: `${mdm.url}/mdm/server`,
      checkInUrl: `${mdm.url}/mdm/checkin`,
      topic: push.topic,
      signMessage: true,
      checkOutWhenRemoved: true,
      identity,
      anchorCertificatesPem: [],
    });
    return phone;
  }
  const pushTo = (phone: SimulatedIphone, pushMagic = phone.pushMagic) =>
    client.push({ deviceToken: phone.pushToken.toString('hex'), pushMagic, topic: push.topic });
  const idleReportsFrom = (phone: SimulatedIphone) =>
    mdm.requests.filter((r) => {
      const report = decodePlistDict(r.body);
      return report.UDID === phone.udid && report.Status === 'Idle';
    });

  it('wakes the phone a push is for, which checks in with Idle', async () => {
    const [woken, other] = [enrolledPhone(), enrolledPhone()];
    const wakeup = wakeOnPush(fake, [woken, other]);
    expect((await pushTo(woken)).outcome).toBe('accepted');
    await wakeup.stop();
    expect(wakeup.wakeups).toBe(1);
    expect(idleReportsFrom(woken)).toHaveLength(1);
    expect(idleReportsFrom(other)).toHaveLength(0);
    expect(wakeup.processed.get(woken.udid)).toEqual([]);
  });

  it('ignores pushes with another PushMagic, for unknown tokens, or for a phone that is not enrolled', async () => {
    const phone = enrolledPhone();
    const unenrolled = new SimulatedIphone({ supervised: false, installedApps: [] });
    const wakeup = wakeOnPush(fake, [phone, unenrolled]);
    await pushTo(phone, 'NOT-ITS-MAGIC');
    await pushTo(unenrolled);
    await client.push({ deviceToken: 'ab'.repeat(32), pushMagic: 'M', topic: push.topic });
    await wakeup.stop();
    expect(wakeup.ignored).toBe(3);
    expect(wakeup.wakeups).toBe(0);
    expect(mdm.requests).toHaveLength(0);
  });

  it('bounds concurrent check-ins and collects failures without throwing', async () => {
    reply = () => ({ status: 500, body: 'down for maintenance' });
    const fleet = Array.from({ length: 12 }, () => enrolledPhone());
    const wakeup = wakeOnPush(fake, fleet, { concurrency: 3 });
    const results = await Promise.all(fleet.map((phone) => pushTo(phone)));
    expect(results.every((r) => r.outcome === 'accepted')).toBe(true);
    await wakeup.stop();
    expect(peak).toBeLessThanOrEqual(3);
    expect(peak).toBeGreaterThan(1);
    expect(wakeup.failures).toHaveLength(12);
    expect(String(wakeup.failures[0]?.error)).toMatch(/HTTP 500/);
  });

  it('checks in once more, not once per push, when pushed again while checking in', async () => {
    delayMs = 500; // the first check-in is still running when the other two pushes land
    const phone = enrolledPhone();
    const wakeup = wakeOnPush(fake, [phone], { concurrency: 1 });
    await Promise.all([pushTo(phone), pushTo(phone), pushTo(phone)]);
    await wakeup.stop();
    expect(wakeup.wakeups).toBe(2);
    expect(idleReportsFrom(phone)).toHaveLength(2);
  });
});
