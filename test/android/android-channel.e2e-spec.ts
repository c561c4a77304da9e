import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SeededTenant } from '../support/api-harness.js';
import { startApiAndMdm, type MdmHarness } from '../support/mdm-harness.js';
import { createGroup, createPolicy, messagingBan, publishVersion } from '../support/officer-actions.js';
import { FakeAmapi } from '../fakes/fake-amapi.js';

/*
 * The Android channel end to end: an officer binds an enterprise, enrolls simulated phones into a
 * group under the French messaging ban, the phones drop WhatsApp, and the API shows them compliant
 * with the group's policy applied; notifications and devices.list both get there, through
 * injected 429/5xx answers.
 */

const PHONE_APPS = [
  { packageName: 'com.whatsapp', versionName: '2.24.1', displayName: 'WhatsApp' },
  { packageName: 'io.olvid.messenger', versionName: '3.1', displayName: 'Olvid' },
];

describe('Android channel', () => {
  let fake: FakeAmapi;
  let h: MdmHarness;
  let dinum: SeededTenant;
  let enterpriseName: string;
  let pushUrl: string;
  const SHARED_SECRET = 'relay-secret-0123456789-0123456789-abcdef';
  const as = (role: 'admin' | 'officer' | 'auditor', tenant = dinum) => ({
    Authorization: `Bearer ${tenant.tokens[role]}`,
  });

  beforeAll(async () => {
    fake = await FakeAmapi.start();
    h = await startApiAndMdm({
      AMAPI_ROOT_URL: fake.rootUrl,
      AMAPI_PUSH_SERVICE_ACCOUNT: fake.pushServiceAccount,
      AMAPI_PUSH_SHARED_SECRET: SHARED_SECRET,
      GOOGLE_OIDC_CERTS_URL: fake.certsUrl,
      AMAPI_RETRY_BASE_MS: '20',
    });
    pushUrl = `${h.mdmUrl}/android/notifications`;
    fake.pushTo({ url: pushUrl });
    dinum = await h.api.seedTenant('dinum');
    enterpriseName = fake.createEnterprise('DINUM');
    await createGroup(h.api, dinum, 'cabinets', 'Cabinets');
  });

  afterAll(async () => {
    await fake?.stop();
    await h?.close();
  });

  describe('enterprise binding', () => {
    it('has no binding at first, and refuses Android enrollments until there is one', async () => {
      const get = await h.api.http().get('/v1/android/enterprise').set(as('auditor'));
      expect(get.status).toBe(404);
      const enroll = await h.api
        .http()
        .post('/v1/enrollments')
        .set(as('officer'))
        .send({ group: 'cabinets', platform: 'android' });
      expect(enroll.status).toBe(409);
      expect(enroll.body.code).toBe('NO_ANDROID_ENTERPRISE');
    });

    it('refuses a bad key naming its field, an enterprise the key cannot reach, and non-admins', async () => {
      const badKey = await h.api
        .http()
        .put('/v1/android/enterprise')
        .set(as('admin'))
        .send({ enterpriseName, serviceAccountKey: { ...fake.serviceAccountKey(), client_email: 'x' } });
      expect(badKey.status).toBe(400);
      expect(badKey.body.message).toContain('serviceAccountKey.client_email');
      const unknown = await h.api
        .http()
        .put('/v1/android/enterprise')
        .set(as('admin'))
        .send({ enterpriseName: 'enterprises/LCnotmine', serviceAccountKey: fake.serviceAccountKey() });
      expect(unknown.status).toBe(422);
      expect(unknown.body).toMatchObject({ code: 'AMAPI_REFUSED' });
      expect(unknown.body.message).toContain('404 NOT_FOUND');
      const officer = await h.api
        .http()
        .put('/v1/android/enterprise')
        .set(as('officer'))
        .send({ enterpriseName, serviceAccountKey: fake.serviceAccountKey() });
      expect(officer.status).toBe(403);
    });

    it('binds an existing enterprise, stores the key encrypted, audits it, and shows it working', async () => {
      const put = await h.api
        .http()
        .put('/v1/android/enterprise')
        .set(as('admin'))
        .send({ enterpriseName, serviceAccountKey: JSON.stringify(fake.serviceAccountKey()) });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({
        enterpriseName,
        working: true,
        serviceAccountEmail: fake.clientEmail,
      });
      const stored = await h.api.sql('SELECT encrypted_service_account_key AS k FROM android_enterprises');
      expect(stored.rows[0].k).toMatch(/^v1:/);
      expect(stored.rows[0].k).not.toMatch(/PRIVATE KEY|client_email/);
      const audit = await h.api.sql(
        `SELECT target_id FROM audit_events WHERE action = 'android_enterprise.bind'`,
      );
      expect(audit.rows).toEqual([{ target_id: enterpriseName }]);
      const get = await h.api.http().get('/v1/android/enterprise').set(as('auditor'));
      expect(get.body).toMatchObject({ enterpriseName, working: true, error: null, displayName: 'DINUM' });
    });

    it('shows the binding as not working when AMAPI keeps failing', async () => {
      fake.failNext(6, { status: 503, match: /^GET \/v1\/enterprises\/[^/]+$/ });
      const get = await h.api.http().get('/v1/android/enterprise').set(as('auditor'));
      expect(get.status).toBe(200);
      expect(get.body).toMatchObject({ working: false });
      expect(get.body.error).toContain('503');
    }, 120_000);

    it('creates a new enterprise through signup: signup URL, Google callback, enterprises.create', async () => {
      const other = await h.api.seedTenant('armee');
      const start = await h.api
        .http()
        .post('/v1/android/enterprise/signup-url')
        .set(as('admin', other))
        .send({ serviceAccountKey: fake.serviceAccountKey(), adminEmail: 'rssi@armee.gouv.fr' });
      expect(start.status).toBe(201);
      expect(start.body.signupUrl).toContain(fake.rootUrl);
      const callback = fake.completeSignup(start.body.signupUrlName);
      expect(callback.startsWith(`${h.mdmUrl}/android/signup-callback/`)).toBe(true);
      const done = await fetch(callback);
      expect(done.status).toBe(200);
      expect(await done.text()).toMatch(/Android Enterprise enterprises\/LC\w+ is now bound/);
      const replay = await fetch(callback);
      expect(replay.status).toBe(404);
      const get = await h.api.http().get('/v1/android/enterprise').set(as('auditor', other));
      expect(get.body).toMatchObject({ working: true });
      expect(get.body.enterpriseName).not.toBe(enterpriseName);
    });
  });

  describe('enrollment, notifications and sync', () => {
    let enrollment: Record<string, unknown>;

    beforeAll(async () => {
      await createPolicy(h.api, dinum, messagingBan());
      await publishVersion(h.api, dinum, 'messageries');
      fake.failNext(1, { status: 429, retryAfterSeconds: 0 });
      fake.failNext(1, { status: 500 });
      const created = await h.api
        .http()
        .post('/v1/enrollments')
        .set(as('officer'))
        .send({ group: 'cabinets', platform: 'android', maxUses: 2 });
      expect(created.status).toBe(201);
      enrollment = created.body;
    });

    it("creates an AMAPI token for the group's policy, which carries the French messaging ban", async () => {
      const policyName = `${enterpriseName}/policies/dinum_cabinets`;
      const policy = fake.policy(policyName);
      const apps = policy!.body.applications as Array<{ packageName: string; installType: string }>;
      expect(apps).toContainEqual({ packageName: 'com.whatsapp', installType: 'BLOCKED' });
      expect(apps).toContainEqual({ packageName: 'io.olvid.messenger', installType: 'AVAILABLE' });
      const token = [...fake.tokens.values()][0];
      expect(token).toMatchObject({ policyName, oneTimeOnly: false });
      expect(JSON.parse(token.additionalData!)).toEqual({ enrollmentId: enrollment.id });
      expect(fake.injected).toEqual(expect.arrayContaining([429, 500]));
    });

    it('answers with the QR payload, a scannable PNG, the zero-touch extras and the work-profile link', async () => {
      const qr = JSON.parse(enrollment.qrCode as string);
      expect(qr['android.app.extra.PROVISIONING_ADMIN_EXTRAS_BUNDLE']).toEqual({
        'com.google.android.apps.work.clouddpc.EXTRA_ENROLLMENT_TOKEN': enrollment.androidToken,
      });
      expect(enrollment.enrollUrl).toBe(
        `https://enterprise.google.com/android/enroll?et=${enrollment.androidToken}`,
      );
      expect(JSON.stringify(enrollment.zeroTouchExtras)).toContain(enrollment.androidToken as string);
      const png = await fetch(enrollment.qrPngUrl as string);
      expect(png.status).toBe(200);
      expect(png.headers.get('content-type')).toBe('image/png');
      const bytes = Buffer.from(await png.arrayBuffer());
      expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    });

    it('phones enroll, report WhatsApp as APP_INSTALLED, then drop it and show compliant with the policy applied', async () => {
      const phones = [
        fake.enrollDevice(enrollment.androidToken as string, { apps: PHONE_APPS, model: 'Pixel 8' }),
        fake.enrollDevice(enrollment.androidToken as string, { apps: PHONE_APPS, model: 'Galaxy S24' }),
      ];
      await fake.flushPushes();
      let devices = (await h.api.http().get('/v1/devices?platform=android').set(as('auditor'))).body;
      expect(devices).toHaveLength(2);
      expect(devices[0]).toMatchObject({
        status: 'enrolled',
        policyCompliant: false,
        nonComplianceDetails: [
          expect.objectContaining({ nonComplianceReason: 'APP_INSTALLED', packageName: 'com.whatsapp' }),
        ],
        osVersion: '15',
        securityPatchLevel: '2026-10-05',
      });

      fake.syncDevices();
      await fake.flushPushes();
      devices = (await h.api.http().get('/v1/devices?platform=android').set(as('auditor'))).body;
      const version = String(fake.policy(`${enterpriseName}/policies/dinum_cabinets`)!.version);
      for (const device of devices) {
        expect(device).toMatchObject({
          policyCompliant: true,
          nonComplianceDetails: [],
          appliedPolicyVersion: version,
        });
      }
      expect(devices.map((d: { model: string }) => d.model).sort()).toEqual(['Galaxy S24', 'Pixel 8']);
      const inventory = await h.api
        .http()
        .get(`/v1/devices/${phones[0].name.split('/').pop()}/inventory`)
        .set(as('auditor'));
      expect(inventory.body.apps).toEqual([
        expect.objectContaining({ identifier: 'com.whatsapp', state: 'REMOVED', version: '2.24.1' }),
        expect.objectContaining({ identifier: 'io.olvid.messenger', state: 'INSTALLED' }),
      ]);
    });

    it('counts uses: the AMAPI token of a 2-use enrollment is deleted once two phones enrolled', async () => {
      const row = await h.api.sql('SELECT uses FROM enrollments WHERE id = $1', [enrollment.id]);
      expect(row.rows[0].uses).toBe(2);
      expect(fake.tokens.size).toBe(0);
      expect(() => fake.enrollDevice(enrollment.androidToken as string)).toThrow(/not known/);
    });

    it('acknowledges redelivered notifications without changing anything', async () => {
      const before = await h.api.sql('SELECT id, updated_at FROM devices ORDER BY id');
      const seenBefore = (await h.api.sql('SELECT count(*)::int AS n FROM android_notifications')).rows[0].n;
      fake.pushTo({ url: pushUrl, duplicate: true });
      const device = [...fake.devices.values()][0];
      const resource = device.toResource(true);
      fake.publish('STATUS_REPORT', resource, 'dup-1');
      fake.publish('STATUS_REPORT', resource, 'dup-1');
      await fake.flushPushes();
      fake.pushTo({ url: pushUrl });
      const dupPushes = fake.pushes.filter((p) => p.messageId === 'dup-1');
      expect(dupPushes.map((p) => p.status)).toEqual([204, 204, 204, 204]);
      const seenAfter = (await h.api.sql('SELECT count(*)::int AS n FROM android_notifications')).rows[0].n;
      expect(seenAfter).toBe(seenBefore + 1);
      // The report is no newer than the stored one: the devices are exactly as they were, or only re-stamped.
      const after = await h.api.sql('SELECT id FROM devices ORDER BY id');
      expect(after.rows.map((r) => r.id)).toEqual(before.rows.map((r) => r.id));
    });

    it('ignores an older report that arrives late', async () => {
      const device = [...fake.devices.values()][0];
      const old = {
        ...device.toResource(true),
        policyCompliant: false,
        lastStatusReportTime: '2020-01-01T00:00:00Z',
      };
      fake.publish('STATUS_REPORT', old, 'late-1');
      await fake.flushPushes();
      const row = await h.api.sql('SELECT policy_compliant FROM devices WHERE amapi_name = $1', [
        device.name,
      ]);
      expect(row.rows[0].policy_compliant).toBe(true);
    });

    it('refuses pushes without valid credentials, and malformed ones, with a clear status', async () => {
      const body = JSON.stringify({
        message: { data: 'e30=', messageId: 'x', attributes: { notificationType: 'STATUS_REPORT' } },
      });
      const post = (headers: Record<string, string>, url = pushUrl, data = body) =>
        fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: data,
        });
      expect((await post({})).status).toBe(401);
      expect(
        (await post({ authorization: `Bearer ${fake.pushOidcToken('https://elsewhere.example/')}` })).status,
      ).toBe(401);
      expect(
        (
          await post({
            authorization: `Bearer ${fake.pushOidcToken(pushUrl, { email: 'intruder@evil.example' })}`,
          })
        ).status,
      ).toBe(401);
      expect(
        (
          await post({
            authorization: `Bearer ${fake.pushOidcToken(pushUrl, { exp: Math.floor(Date.now() / 1000) - 600 })}`,
          })
        ).status,
      ).toBe(401);
      expect((await post({}, `${pushUrl}?token=wrong`)).status).toBe(401);
      const oidc = { authorization: `Bearer ${fake.pushOidcToken(pushUrl)}` };
      expect((await post(oidc, pushUrl, 'not json')).status).toBe(400);
      const badData = JSON.stringify({
        message: { data: '@@@', messageId: 'y', attributes: { notificationType: 'STATUS_REPORT' } },
      });
      expect((await post(oidc, pushUrl, badData)).status).toBe(400);
      expect((await post(oidc)).status).toBe(400); // {} is not a device
      const usage = JSON.stringify({
        message: { data: 'e30=', messageId: 'z', attributes: { notificationType: 'USAGE_LOGS' } },
      });
      expect((await post(oidc, pushUrl, usage)).status).toBe(204);
      expect((await post({}, `${pushUrl}?token=${SHARED_SECRET}`, usage.replace('"z"', '"z2"'))).status).toBe(
        204,
      );
      expect(
        h.mdmLogs.some(
          (l) => String(l.msg).includes('OIDC token refused') || String(l.message).includes('OIDC'),
        ),
      ).toBe(true);
    });

    it('POST /v1/android/sync catches a phone whose notifications were lost, through 429 and 503', async () => {
      fake.pushTo(null);
      const second = await h.api
        .http()
        .post('/v1/enrollments')
        .set(as('officer'))
        .send({ group: 'cabinets', platform: 'android', maxUses: 1 });
      const lost = fake.enrollDevice(second.body.androidToken, { apps: PHONE_APPS });
      fake.syncDevices();
      fake.pushTo({ url: pushUrl });
      fake.failNext(1, { status: 429, match: /devices$/ });
      fake.failNext(1, { status: 503, match: /devices$/ });
      const sync = await h.api.http().post('/v1/android/sync').set(as('officer'));
      expect(sync.status).toBe(201);
      expect(sync.body).toMatchObject({ devices: 3, pages: 1, written: 3, unmatched: 0 });
      const row = await h.api.sql('SELECT policy_compliant, status FROM devices WHERE amapi_name = $1', [
        lost.name,
      ]);
      expect(row.rows[0]).toEqual({ policy_compliant: true, status: 'enrolled' });
      const uses = await h.api.sql('SELECT uses FROM enrollments WHERE id = $1', [second.body.id]);
      expect(uses.rows[0].uses).toBe(1);
      const get = await h.api.http().get('/v1/android/enterprise').set(as('auditor'));
      expect(get.body.lastSyncDevices).toBe(3);
    }, 120_000);

    it('revoking an enrollment deletes its AMAPI token', async () => {
      const third = await h.api
        .http()
        .post('/v1/enrollments')
        .set(as('officer'))
        .send({ group: 'cabinets', platform: 'android' });
      const tokenName = (
        await h.api.sql('SELECT android_token_name AS n FROM enrollments WHERE id = $1', [third.body.id])
      ).rows[0].n;
      expect(fake.tokens.has(tokenName)).toBe(true);
      await h.api.http().delete(`/v1/enrollments/${third.body.id}`).set(as('officer')).expect(200);
      expect(fake.tokens.has(tokenName)).toBe(false);
      expect(() => fake.enrollDevice(third.body.androidToken)).toThrow(/not known/);
      const png = await fetch(third.body.qrPngUrl);
      expect(png.status).toBe(410);
    });
  });
});
