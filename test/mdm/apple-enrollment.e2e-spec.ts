import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { encodePlist } from '#libs/apple';
import { type MdmHarness, startApiAndMdm } from '../support/mdm-harness.js';
import { type AppleTenant, prepareAppleTenant } from '../support/apple-tenant.js';
import { createPolicy, messagingBan, publishVersion } from '../support/officer-actions.js';
import type { SeededTenant } from '../support/api-harness.js';
import { SimulatedIphone } from '../simulators/iphone-simulator.js';

const WHATSAPP = { identifier: 'net.whatsapp.WhatsApp', name: 'WhatsApp', version: '24.1.0' };
const OLVID = { identifier: 'io.olvid.messenger', name: 'Olvid', version: '3.2' };
const TELEGRAM = { identifier: 'ph.telegra.Telegraph', name: 'Telegram', version: '10.0' };

describe('Apple enrollment and MDM: simulated iPhones receive the French messaging ban', () => {
  let h: MdmHarness;
  let dinum: SeededTenant;
  let topic: string;
  let enrollment: AppleTenant['enrollment'];
  const as = (role: 'admin' | 'officer' | 'auditor') => ({ Authorization: `Bearer ${dinum.tokens[role]}` });

  beforeAll(async () => {
    h = await startApiAndMdm();
    const apple = await prepareAppleTenant(h, 'dinum', { group: { slug: 'cabinets', name: 'Cabinets' } });
    dinum = apple.tenant;
    topic = apple.topic;
    enrollment = apple.enrollment;
    expect(apple.pushCertificate).toMatchObject({ topic });
    await createPolicy(h.api, dinum, messagingBan());
    await publishVersion(h.api, dinum, 'messageries');
  });
  afterAll(() => h.close());

  it('enrolls a supervised iPhone through enrollUrl and SCEP, installs the ban and reports its inventory', async () => {
    const { enrollUrl } = await enrollment({ maxUses: 5 });
    expect(enrollUrl).toMatch(new RegExp(`^${h.mdmUrl}/mdm/enroll/`));
    const phone = new SimulatedIphone({
      supervised: true,
      installedApps: [WHATSAPP, OLVID, TELEGRAM],
      serialNumber: 'F2LXK0AAHG7F',
    });
    await phone.enroll(enrollUrl);
    const done = await phone.processCommands();
    expect(done.map((c) => [c.requestType, c.status])).toEqual(
      expect.arrayContaining([
        ['DeviceInformation', 'Acknowledged'],
        ['InstallProfile', 'Acknowledged'],
        ['ProfileList', 'Acknowledged'],
        ['InstalledApplicationList', 'Acknowledged'],
      ]),
    );
    expect(phone.canLaunch(WHATSAPP.identifier)).toBe(false);
    expect(phone.canLaunch(TELEGRAM.identifier)).toBe(false);
    expect(phone.canLaunch(OLVID.identifier)).toBe(true);

    const device = await h.api.http().get(`/v1/devices/${phone.udid}`).set(as('auditor'));
    expect(device.body).toMatchObject({
      status: 'enrolled',
      isSupervised: true,
      serialNumber: 'F2LXK0AAHG7F',
      platform: 'ios',
    });
    const inventory = await h.api.http().get(`/v1/devices/${phone.udid}/inventory`).set(as('auditor'));
    expect(inventory.body.apps.map((a: { identifier: string }) => a.identifier).sort()).toEqual(
      [OLVID.identifier, WHATSAPP.identifier, TELEGRAM.identifier].sort(),
    );
    expect(inventory.body.profiles.map((p: { identifier: string }) => p.identifier)).toEqual(
      expect.arrayContaining(['fr.rempart.dinum.policy.messageries']),
    );
    const commands = await h.api.http().get(`/v1/devices/${phone.udid}/commands`).set(as('auditor'));
    expect(commands.body.every((c: { status: string }) => c.status === 'acknowledged')).toBe(true);
    const listed = await h.api
      .http()
      .get('/v1/devices?group=cabinets&platform=ios&status=enrolled')
      .set(as('auditor'));
    expect(listed.body.map((d: { udid: string }) => d.udid)).toContain(phone.udid);
  });

  it('lets an unsupervised iPhone install the ban but still launch WhatsApp (Apple enforces it only when supervised)', async () => {
    const { enrollUrl } = await enrollment();
    const phone = new SimulatedIphone({ supervised: false, installedApps: [WHATSAPP] });
    await phone.enroll(enrollUrl);
    await phone.processCommands();
    expect(phone.installedProfiles.map((p) => p.identifier)).toContain('fr.rempart.dinum.policy.messageries');
    expect(phone.canLaunch(WHATSAPP.identifier)).toBe(true);
    const device = await h.api.http().get(`/v1/devices/${phone.udid}`).set(as('auditor'));
    expect(device.body.isSupervised).toBe(false);
  });

  it('queues ProfileList on an officer’s demand and records NotNow as retry-later', async () => {
    const { enrollUrl } = await enrollment();
    const phone = new SimulatedIphone({ supervised: true, installedApps: [OLVID] });
    await phone.enroll(enrollUrl);
    await phone.processCommands();
    const queued = await h.api
      .http()
      .post(`/v1/devices/${phone.udid}/commands`)
      .set(as('officer'))
      .send({ requestType: 'InstalledApplicationList' });
    expect(queued.status).toBe(201);
    await h.api
      .http()
      .post(`/v1/devices/${phone.udid}/commands`)
      .set(as('officer'))
      .send({ requestType: 'ProfileList' })
      .expect(201);
    const first = await phone.processCommands({ notNow: ['InstalledApplicationList'] });
    expect(first.map((c) => [c.requestType, c.status])).toEqual([
      ['InstalledApplicationList', 'NotNow'],
      ['ProfileList', 'Acknowledged'],
    ]);
    const second = await phone.processCommands();
    expect(second.map((c) => [c.requestType, c.status])).toEqual([
      ['InstalledApplicationList', 'Acknowledged'],
    ]);
    const commands = await h.api.http().get(`/v1/devices/${phone.udid}/commands`).set(as('auditor'));
    const retried = commands.body.find(
      (c: { commandUuid: string }) => c.commandUuid === queued.body.commandUuid,
    );
    expect(retried).toMatchObject({ status: 'acknowledged', notNowCount: 1 });
    const bad = await h.api
      .http()
      .post(`/v1/devices/${phone.udid}/commands`)
      .set(as('officer'))
      .send({ requestType: 'EraseDevice' });
    expect(bad.status).toBe(400);
    expect(
      (
        await h.api
          .http()
          .post(`/v1/devices/${phone.udid}/commands`)
          .set(as('auditor'))
          .send({ requestType: 'ProfileList' })
      ).status,
    ).toBe(403);
  });

  it('marks a device unenrolled at CheckOut and cancels its queued commands', async () => {
    const { enrollUrl } = await enrollment();
    const phone = new SimulatedIphone({ supervised: true, installedApps: [] });
    await phone.enroll(enrollUrl);
    await phone.processCommands();
    await h.api
      .http()
      .post(`/v1/devices/${phone.udid}/commands`)
      .set(as('officer'))
      .send({ requestType: 'SecurityInfo' })
      .expect(201);
    expect((await phone.checkIn('CheckOut')).status).toBe(200);
    const device = await h.api.http().get(`/v1/devices/${phone.udid}`).set(as('auditor'));
    expect(device.body.status).toBe('unenrolled');
    const commands = await h.api.http().get(`/v1/devices/${phone.udid}/commands`).set(as('auditor'));
    expect(commands.body.find((c: { requestType: string }) => c.requestType === 'SecurityInfo').status).toBe(
      'cancelled',
    );
  });

  it('enrolls phones of a new tenant concurrently while its CA is created on first use', async () => {
    const armees = await prepareAppleTenant(h, 'armees', {
      group: { slug: 'etat-major', name: 'État-major' },
    });
    const created = await armees.enrollment();
    const phones = Array.from(
      { length: 6 },
      () => new SimulatedIphone({ supervised: true, installedApps: [] }),
    );
    await Promise.all(phones.map((phone) => phone.enroll(created.enrollUrl)));
    expect(phones.every((phone) => phone.enrolled)).toBe(true);
    expect(
      (await h.api.sql('SELECT count(*)::int AS n FROM tenant_cas WHERE tenant_id = $1', [armees.tenant.id]))
        .rows[0].n,
    ).toBe(1);
  });

  describe('refusals', () => {
    it('answers an unknown token 404, and a used-up, expired or revoked enrollment 410', async () => {
      expect((await fetch(`${h.mdmUrl}/mdm/enroll/not-a-token`)).status).toBe(404);
      const once = await enrollment({ maxUses: 1 });
      // Two phones download the one-time profile; only the first to enroll gets a certificate.
      const first = new SimulatedIphone({ supervised: true, installedApps: [] });
      const second = new SimulatedIphone({ supervised: true, installedApps: [] });
      const secondProfile = Buffer.from(await (await fetch(once.enrollUrl)).arrayBuffer());
      await first.enroll(once.enrollUrl);
      await expect(second.installEnrollmentProfile(secondProfile)).rejects.toThrow(/FAILURE|badRequest/);
      expect((await fetch(once.enrollUrl)).status).toBe(410);
      const revoked = await enrollment();
      await h.api.http().delete(`/v1/enrollments/${revoked.id}`).set(as('officer')).expect(200);
      expect((await fetch(revoked.enrollUrl)).status).toBe(410);
      const expiring = await enrollment();
      await h.api.sql(`UPDATE enrollments SET expires_at = now() - interval '1 minute' WHERE id = $1`, [
        expiring.id,
      ]);
      expect((await fetch(expiring.enrollUrl)).status).toBe(410);
      expect(h.mdmLogs.some((l) => String(l.msg).startsWith('enrollment refused'))).toBe(true);
    });

    it('refuses unsigned, tampered, malformed and hostile check-ins with 400 and stores nothing', async () => {
      const checkin = (body: string | Buffer, headers: Record<string, string> = {}) =>
        fetch(`${h.mdmUrl}/mdm/${dinum.id}/checkin`, {
          method: 'PUT',
          body,
          headers: { 'Content-Type': 'application/x-apple-aspen-mdm-checkin', ...headers },
        });
      const before = (await h.api.sql('SELECT count(*)::int AS n FROM devices')).rows[0].n;
      const authenticate = encodePlist({ MessageType: 'Authenticate', UDID: 'FAKE-UDID', Topic: topic });
      expect((await checkin(authenticate)).status).toBe(400);
      expect((await checkin(authenticate, { 'Mdm-Signature': 'bm90IGEgc2lnbmF0dXJl' })).status).toBe(400);

      const { enrollUrl } = await enrollment();
      const phone = new SimulatedIphone({ supervised: true, installedApps: [] });
      await phone.enroll(enrollUrl);
      const signature = phone.sign(authenticate);
      const tampered = encodePlist({ MessageType: 'Authenticate', UDID: 'OTHER-UDID', Topic: topic });
      expect((await checkin(tampered, { 'Mdm-Signature': signature })).status).toBe(400);
      const doctype = Buffer.from(
        '<?xml version="1.0"?><!DOCTYPE plist [<!ENTITY x "y">]><plist version="1.0"><dict><key>MessageType</key><string>&x;</string></dict></plist>',
      );
      expect((await checkin(doctype, { 'Mdm-Signature': phone.sign(doctype) })).status).toBe(400);
      const wrongType = encodePlist({ MessageType: 'Authenticate', UDID: 42, Topic: topic });
      expect((await checkin(wrongType, { 'Mdm-Signature': phone.sign(wrongType) })).status).toBe(400);
      const garbage = Buffer.from('not a plist at all');
      const res = await checkin(garbage, { 'Mdm-Signature': phone.sign(garbage) });
      expect(res.status).toBe(400);
      expect((await h.api.sql('SELECT count(*)::int AS n FROM devices')).rows[0].n).toBe(before + 1);
      expect(h.mdmLogs.filter((l) => Number(l.level) >= 50)).toEqual([]);
    });

    it('refuses a request signed by another device’s certificate (400, never 401)', async () => {
      const a = new SimulatedIphone({ supervised: true, installedApps: [] });
      const b = new SimulatedIphone({ supervised: true, installedApps: [] });
      await a.enroll((await enrollment()).enrollUrl);
      await b.enroll((await enrollment()).enrollUrl);
      const report = encodePlist({ UDID: a.udid, Status: 'Idle' });
      const res = await fetch(`${h.mdmUrl}/mdm/${dinum.id}/server`, {
        method: 'PUT',
        body: report,
        headers: { 'Mdm-Signature': b.sign(report) },
      });
      expect(res.status).toBe(400);
      expect(h.mdmLogs.some((l) => String(l.msg).includes('not bound to this device'))).toBe(true);
    });
  });

  it('shows the push certificate with its expiry and refuses one that is not an MDM push certificate', async () => {
    const shown = await h.api.http().get('/v1/apple/push-certificate').set(as('auditor'));
    expect(shown.body).toMatchObject({ topic, warning: null });
    expect(shown.body.expiresInDays).toBeGreaterThan(300);
    const bad = await h.api
      .http()
      .put('/v1/apple/push-certificate')
      .set(as('admin'))
      .send({ certificate: 'not a pem', privateKey: 'x' });
    expect(bad.status).toBe(400);
  });
});
