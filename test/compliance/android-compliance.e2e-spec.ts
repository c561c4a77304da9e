import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '../support/awake-phones.js';
import type { SeededTenant } from '../support/api-harness.js';
import { type RolloutHarness, startRollouts } from '../support/rollout-harness.js';
import { FakeAmapi } from '../fakes/fake-amapi.js';

/*
 * Android phones through the fake AMAPI: their status reports (applicationReports, appliedPolicyVersion,
 * nonComplianceDetails) are evaluated as they are written, with the same rules as iPhones.
 */

const APPS = [
  { packageName: 'com.whatsapp', versionName: '2.24.1' },
  { packageName: 'io.olvid.messenger', versionName: '3.1' },
];

describe('compliance of Android phones from their AMAPI reports', () => {
  let fake: FakeAmapi;
  let r: RolloutHarness;
  let dinum: SeededTenant;
  const http = () => r.h.api.http();
  const devices = async () =>
    (await http().get('/v1/compliance/devices?limit=1000').set(r.as(dinum, 'auditor')).expect(200))
      .body as Array<{
      udid: string;
      platform: string;
      status: string;
      reasons: Array<Record<string, unknown>>;
    }>;

  beforeAll(async () => {
    fake = await FakeAmapi.start();
    r = await startRollouts({
      AMAPI_ROOT_URL: fake.rootUrl,
      AMAPI_PUSH_SERVICE_ACCOUNT: fake.pushServiceAccount,
      GOOGLE_OIDC_CERTS_URL: fake.certsUrl,
      AMAPI_RETRY_BASE_MS: '20',
    });
    fake.pushTo({ url: `${r.h.mdmUrl}/android/notifications` });
    dinum = await r.seed('dinum', { pushCertificate: false });
    const enterpriseName = fake.createEnterprise('DINUM');
    await http()
      .put('/v1/android/enterprise')
      .set(r.as(dinum, 'admin'))
      .send({ enterpriseName, serviceAccountKey: fake.serviceAccountKey() })
      .expect(200);
    await http()
      .post('/v1/groups')
      .set(r.as(dinum, 'officer'))
      .send({ slug: 'cabinets', name: 'Cabinets' })
      .expect(201);
    await http()
      .post('/v1/policies')
      .set(r.as(dinum, 'officer'))
      .send({
        slug: 'messageries',
        name: 'Messageries',
        groups: ['cabinets'],
        blockLists: ['fr-gov-2023-messaging'],
        allowLists: ['fr-gov-2023-messaging-approved'],
      })
      .expect(201);
    const enrollment = await http()
      .post('/v1/enrollments')
      .set(r.as(dinum, 'officer'))
      .send({ group: 'cabinets', platform: 'android', maxUses: 2 })
      .expect(201);
    fake.enrollDevice(enrollment.body.androidToken, { apps: APPS });
    fake.enrollDevice(enrollment.body.androidToken, { apps: APPS, keepsBlockedApps: true });
    fake.syncDevices();
    await fake.flushPushes();
  });

  afterAll(async () => {
    await r?.close();
    await fake?.stop();
  });

  it('judges each phone once the ban is applied: WhatsApp removed is compliant, WhatsApp kept is not', async () => {
    await http().post('/v1/policies/messageries/versions').set(r.as(dinum, 'officer')).expect(201);
    await eventually('the group policy patched with the ban', async () =>
      fake.requests.some((q) => q.startsWith('PATCH ') && q.includes('dinum_cabinets')),
    );
    const judged = await eventually('both phones judged after their reports', async () => {
      fake.syncDevices();
      await fake.flushPushes();
      const list = await devices();
      const statuses = list.map((d) => d.status).sort();
      return statuses.join() === 'compliant,non_compliant' ? list : undefined;
    });
    expect(judged.every((d) => d.platform === 'android')).toBe(true);
    const kept = judged.find((d) => d.status === 'non_compliant')!;
    expect(kept.reasons).toEqual([
      expect.objectContaining({ code: 'banned_app', app: 'com.whatsapp', policy: 'messageries', version: 1 }),
    ]);
    const summary = (await http().get('/v1/compliance/summary').set(r.as(dinum, 'auditor')).expect(200)).body;
    expect(summary.counts).toMatchObject({ compliant: 1, non_compliant: 1 });
    const apps = (await http().get('/v1/compliance/apps').set(r.as(dinum, 'auditor')).expect(200)).body;
    expect(apps).toEqual([expect.objectContaining({ app: 'whatsapp', devices: 1, groups: 1 })]);
  });
});
