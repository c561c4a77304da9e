import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '../support/awake-phones.js';
import type { SeededTenant } from '../support/api-harness.js';
import { bindAndroidEnterprise, startRolloutsWithFakeAmapi } from '../support/android-tenant.js';
import {
  createEnrollment,
  createGroup,
  createPolicy,
  messagingBan,
  publishVersion,
} from '../support/officer-actions.js';
import type { RolloutHarness } from '../support/rollout-harness.js';
import type { FakeAmapi } from '../fakes/fake-amapi.js';

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
    ({ fake, r } = await startRolloutsWithFakeAmapi());
    dinum = await r.seed('dinum', { pushCertificate: false });
    await bindAndroidEnterprise(r.h.api, dinum, fake, 'DINUM');
    await createGroup(r.h.api, dinum, 'cabinets', 'Cabinets');
    await createPolicy(r.h.api, dinum, messagingBan({ name: 'Messageries' }));
    const enrollment = await createEnrollment(r.h.api, dinum, {
      group: 'cabinets',
      platform: 'android',
      maxUses: 2,
    });
    fake.enrollDevice(enrollment.androidToken!, { apps: APPS });
    fake.enrollDevice(enrollment.androidToken!, { apps: APPS, keepsBlockedApps: true });
    fake.syncDevices();
    await fake.flushPushes();
  });

  afterAll(async () => {
    await r?.close();
    await fake?.stop();
  });

  it('judges each phone once the ban is applied: WhatsApp removed is compliant, WhatsApp kept is not', async () => {
    await publishVersion(r.h.api, dinum, 'messageries');
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
