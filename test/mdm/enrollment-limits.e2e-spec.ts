import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type AppleTenant,
  downloadProfile,
  phoneWithIdentity,
  prepareAppleTenant,
  scepIdentityFrom,
  scepPayloadOf,
} from '../support/apple-tenant.js';
import { type MdmHarness, startApiAndMdm } from '../support/mdm-harness.js';
import { SimulatedIphone } from '../simulators/iphone-simulator.js';

/*
 * Issue 7, item 2: an enrollment's uses are counted when SCEP consumes a challenge; Authenticate
 * checks the enrollment; officers revoke device certificates; tokens and challenges stay out of logs.
 */
describe('enrollment limits and revocation hold', () => {
  let h: MdmHarness;
  let apple: AppleTenant;

  beforeAll(async () => {
    h = await startApiAndMdm();
    apple = await prepareAppleTenant(h, 'dinum');
  });
  afterAll(() => h.close());

  it('issues one certificate for a maxUses 1 enrollment downloaded three times, and only that phone enrolls', async () => {
    const once = await apple.enrollment({ maxUses: 1 });
    // Three phones download the profile before any of them runs SCEP.
    const profiles = [
      await downloadProfile(once.enrollUrl),
      await downloadProfile(once.enrollUrl),
      await downloadProfile(once.enrollUrl),
    ];
    const outcomes = [];
    for (const profile of profiles) {
      outcomes.push(
        await scepIdentityFrom(profile).then(
          (identity) => identity,
          () => null,
        ),
      );
    }
    const identities = outcomes.filter((identity) => identity !== null);
    expect(identities).toHaveLength(1);
    const phone = phoneWithIdentity(h, apple, identities[0]!);
    expect((await phone.checkIn('Authenticate')).status).toBe(200);
    expect((await phone.checkIn('TokenUpdate')).status).toBe(200);

    const row = await h.api.sql(
      `SELECT e.uses, (SELECT count(*)::int FROM scep_challenges c
                       WHERE c.enrollment_id = e.id AND c.issued_certificate_sha256 IS NOT NULL) AS certificates
       FROM enrollments e WHERE e.id = $1`,
      [once.id],
    );
    expect(row.rows[0]).toEqual({ uses: 1, certificates: 1 });
    expect((await fetch(once.enrollUrl)).status).toBe(410);
  });

  it('refuses Authenticate (400) for a certificate whose enrollment was revoked or has expired since SCEP', async () => {
    for (const spoil of ['revoke', 'expire'] as const) {
      const enrollment = await apple.enrollment();
      const identity = await scepIdentityFrom(await downloadProfile(enrollment.enrollUrl));
      if (spoil === 'revoke') {
        await h.api.http().delete(`/v1/enrollments/${enrollment.id}`).set(apple.as('officer')).expect(200);
      } else {
        await h.api.sql(`UPDATE enrollments SET expires_at = now() - interval '1 second' WHERE id = $1`, [
          enrollment.id,
        ]);
      }
      const phone = phoneWithIdentity(h, apple, identity);
      const res = await phone.checkIn('Authenticate');
      expect(res.status).toBe(400);
      expect(((await res.json()) as { code: string }).code).toBe(
        spoil === 'revoke' ? 'ENROLLMENT_REVOKED' : 'ENROLLMENT_EXPIRED',
      );
      expect((await h.api.sql('SELECT 1 FROM devices WHERE udid = $1', [phone.udid])).rowCount).toBe(0);
    }
  });

  it('lets an officer revoke a device certificate (audited): the phone is refused with 401 from then on', async () => {
    const phone = new SimulatedIphone({ supervised: true, installedApps: [] });
    await phone.enroll((await apple.enrollment()).enrollUrl);
    await phone.processCommands();

    expect(
      (await h.api.http().post(`/v1/devices/${phone.udid}/revoke-certificate`).set(apple.as('auditor')))
        .status,
    ).toBe(403);
    const revoked = await h.api
      .http()
      .post(`/v1/devices/${phone.udid}/revoke-certificate`)
      .set(apple.as('officer'));
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ udid: phone.udid, status: 'unenrolled' });
    expect(revoked.body.revokedCertificates).toEqual([expect.stringMatching(/^[0-9a-f]{64}$/)]);

    // Apple's MDM client takes 401 as the end of its enrollment: exactly what a revocation means.
    await expect(phone.sendReport({ Status: 'Idle' })).rejects.toThrow(/HTTP 401.*CERTIFICATE_REVOKED/);
    expect((await phone.checkIn('Authenticate')).status).toBe(401);
    expect((await phone.checkIn('TokenUpdate')).status).toBe(401);
    const device = await h.api.http().get(`/v1/devices/${phone.udid}`).set(apple.as('auditor'));
    expect(device.body.status).toBe('unenrolled');
    const audit = await h.api
      .http()
      .get('/v1/audit-events?action=device.certificate.revoke')
      .set(apple.as('auditor'));
    expect(audit.body.items).toEqual([
      expect.objectContaining({ target: { type: 'device', id: phone.udid } }),
    ]);
    // Revoking again: nothing is bound any more.
    expect(
      (await h.api.http().post(`/v1/devices/${phone.udid}/revoke-certificate`).set(apple.as('officer')))
        .status,
    ).toBe(409);
  });

  it('revokes a released phone’s certificate too: release does not put it out of reach', async () => {
    const phone = new SimulatedIphone({ supervised: true, installedApps: [] });
    await phone.enroll((await apple.enrollment()).enrollUrl);
    await h.api.http().post(`/v1/devices/${phone.udid}/release`).set(apple.as('officer')).expect(200);
    const revoked = await h.api
      .http()
      .post(`/v1/devices/${phone.udid}/revoke-certificate`)
      .set(apple.as('officer'));
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedCertificates).toHaveLength(1);
    expect((await phone.checkIn('Authenticate')).status).toBe(401);
  });

  it('never writes an enrollment token or a SCEP challenge to the logs, only route patterns', async () => {
    const { token, enrollUrl } = await apple.enrollment();
    const profile = await downloadProfile(enrollUrl);
    const { challenge } = scepPayloadOf(profile);
    const phone = new SimulatedIphone({ supervised: true, installedApps: [] });
    await phone.installEnrollmentProfile(profile);
    // Refusals log too: a used challenge, a token with a suffix, an unknown token.
    await expect(scepIdentityFrom(profile)).rejects.toThrow();
    await fetch(`${enrollUrl}x`);
    await fetch(`${enrollUrl}/more`);

    const leaking = [...h.mdmLogs, ...h.api.logs].filter((line) =>
      [token, challenge, encodeURIComponent(challenge)].some((secret) =>
        JSON.stringify(line).includes(secret),
      ),
    );
    expect(leaking).toEqual([]);
    expect(h.mdmLogs.some((l) => l.route === '/mdm/enroll/:token' && l.status === 200)).toBe(true);
    expect(h.mdmLogs.some((l) => l.route === '/mdm/:tenant/scep')).toBe(true);
  });
});
