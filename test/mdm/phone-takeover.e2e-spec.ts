import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { encodePlist } from '#libs/apple';
import { type AppleTenant, prepareAppleTenant } from '../support/apple-tenant.js';
import { type MdmHarness, startApiAndMdm } from '../support/mdm-harness.js';
import { SimulatedIphone } from '../simulators/iphone-simulator.js';

/*
 * Issue 7, item 1: one certificate speaks for one UDID; an enrolled UDID moves to another
 * certificate only after its CheckOut or an officer's release.
 */
describe('a phone cannot take over another phone’s record', () => {
  let h: MdmHarness;
  let apple: AppleTenant;

  /** Every row a check-in can touch, so that "changed nothing" is checked, not assumed. */
  const snapshot = async () =>
    (
      await h.api.sql(`SELECT
        (SELECT coalesce(string_agg(d::text, '|' ORDER BY d.id), '') FROM devices d) AS devices,
        (SELECT coalesce(string_agg(c::text, '|' ORDER BY c.id), '') FROM scep_challenges c) AS certificates,
        (SELECT coalesce(string_agg(e::text, '|' ORDER BY e.id), '') FROM enrollments e) AS enrollments,
        (SELECT coalesce(string_agg(m::text, '|' ORDER BY m.id), '') FROM mdm_commands m) AS commands`)
    ).rows[0];

  const checkin = (phone: SimulatedIphone, message: Record<string, unknown>) => {
    const body = encodePlist(message as never);
    return fetch(phone.enrollment!.checkInUrl, {
      method: 'PUT',
      body,
      headers: { 'Content-Type': 'application/x-apple-aspen-mdm-checkin', 'Mdm-Signature': phone.sign(body) },
    });
  };

  const enrolledPhone = async () => {
    const phone = new SimulatedIphone({ supervised: true, installedApps: [] });
    await phone.enroll((await apple.enrollment()).enrollUrl);
    await phone.processCommands();
    return phone;
  };

  beforeAll(async () => {
    h = await startApiAndMdm();
    apple = await prepareAppleTenant(h, 'dinum');
  });
  afterAll(() => h.close());

  it('refuses Authenticate and TokenUpdate with phone A’s UDID signed by phone B (400), changes no row, and A keeps working', async () => {
    const a = await enrolledPhone();
    const b = await enrolledPhone();
    const before = await snapshot();
    const logsBefore = h.mdmLogs.length;

    const authenticate = await checkin(b, { ...b.checkInMessage('Authenticate'), UDID: a.udid });
    expect(authenticate.status).toBe(400);
    expect(await authenticate.json()).toMatchObject({ code: 'CERTIFICATE_BOUND_TO_ANOTHER_DEVICE' });
    const tokenUpdate = await checkin(b, { ...b.checkInMessage('TokenUpdate'), UDID: a.udid });
    expect(tokenUpdate.status).toBe(400);
    expect(await snapshot()).toEqual(before);
    expect(
      h.mdmLogs
        .slice(logsBefore)
        .some((l) => l.code === 'CERTIFICATE_BOUND_TO_ANOTHER_DEVICE' && l.udid === a.udid),
    ).toBe(true);

    // A is untouched: its record, its certificate, its commands.
    await h.api
      .http()
      .post(`/v1/devices/${a.udid}/commands`)
      .set(apple.as('officer'))
      .send({ requestType: 'SecurityInfo' })
      .expect(201);
    const done = await a.processCommands();
    expect(done.map((c) => [c.requestType, c.status])).toEqual([['SecurityInfo', 'Acknowledged']]);
    const device = await h.api.http().get(`/v1/devices/${a.udid}`).set(apple.as('auditor'));
    expect(device.body.status).toBe('enrolled');
  });

  it('refuses a new phone enrolling with an enrolled UDID until an officer releases it (audited)', async () => {
    const a = await enrolledPhone();
    const impostor = new SimulatedIphone({ supervised: true, installedApps: [], udid: a.udid });
    const before = await snapshot();
    await expect(impostor.enroll((await apple.enrollment()).enrollUrl)).rejects.toThrow(
      /Authenticate check-in .* answered HTTP 400.*is enrolled with another certificate/,
    );
    const after = await snapshot();
    // Only the impostor's own enrollment and certificate were added; A's device row is unchanged.
    expect(after.devices).toEqual(before.devices);
    expect(after.commands).toEqual(before.commands);
    await a.processCommands(); // A still works

    expect((await h.api.http().post(`/v1/devices/${a.udid}/release`).set(apple.as('auditor'))).status).toBe(
      403,
    );
    const released = await h.api.http().post(`/v1/devices/${a.udid}/release`).set(apple.as('officer'));
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({ udid: a.udid, status: 'unenrolled', certificateSha256: null });
    const audit = await h.api.http().get('/v1/audit-events?action=device.release').set(apple.as('auditor'));
    expect(audit.body.items).toEqual([
      expect.objectContaining({
        action: 'device.release',
        actor: expect.objectContaining({ label: 'officer@dinum.gouv.fr' }),
        target: { type: 'device', id: a.udid },
        after: expect.objectContaining({ status: 'unenrolled', certificateSha256: null }),
      }),
    ]);

    // The old certificate no longer speaks for the record; the replacement phone enrolls.
    await expect(a.sendReport({ Status: 'Idle' })).rejects.toThrow(/HTTP 400/);
    const replacement = new SimulatedIphone({ supervised: true, installedApps: [], udid: a.udid });
    await replacement.enroll((await apple.enrollment()).enrollUrl);
    await replacement.processCommands();
    const device = await h.api.http().get(`/v1/devices/${a.udid}`).set(apple.as('auditor'));
    expect(device.body.status).toBe('enrolled');
  });

  it('lets a UDID move to a new certificate after the phone’s own CheckOut', async () => {
    const a = await enrolledPhone();
    expect((await a.checkIn('CheckOut')).status).toBe(200);
    const reenrolled = new SimulatedIphone({ supervised: true, installedApps: [], udid: a.udid });
    await reenrolled.enroll((await apple.enrollment()).enrollUrl);
    const device = await h.api.http().get(`/v1/devices/${a.udid}`).set(apple.as('auditor'));
    expect(device.body.status).toBe('enrolled');
  });

  it('answers 404 for releasing another tenant’s or an unknown device, and releases the officer’s own', async () => {
    const a = await enrolledPhone();
    const other = await prepareAppleTenant(h, 'armees');
    expect((await h.api.http().post(`/v1/devices/${a.udid}/release`).set(other.as('officer'))).status).toBe(
      404,
    );
    expect(
      (await h.api.http().post('/v1/devices/NOT-A-DEVICE/release').set(apple.as('officer'))).status,
    ).toBe(404);
    expect((await h.api.http().post(`/v1/devices/${a.udid}/release`).set(apple.as('officer'))).status).toBe(
      200,
    );
  });
});
