import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AndroidRolloutLegService } from '#libs/android-server';
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
import type { FakeAndroidDevice } from '../fakes/fake-android-device.js';

/*
 * "Done when" of the Android channel: simulated Android phones enroll with a token, the French
 * messaging ban is published, the rollout's Android leg patches the group's AMAPI policy once (through
 * 429 and 503 answers), the phones drop WhatsApp and their deliveries show as verified through the API.
 */

const APPS = [
  { packageName: 'com.whatsapp', versionName: '2.24.1' },
  { packageName: 'org.telegram.messenger', versionName: '11.2' },
  { packageName: 'io.olvid.messenger', versionName: '3.1' },
];

describe('Android leg of a rollout', () => {
  let fake: FakeAmapi;
  let r: RolloutHarness;
  let dinum: SeededTenant;
  let enterpriseName: string;
  let phones: FakeAndroidDevice[];
  const http = () => r.h.api.http();
  const rollout = async (id: string) =>
    (await http().get(`/v1/rollouts/${id}`).set(r.as(dinum, 'auditor'))).body;
  const policyName = () => `${enterpriseName}/policies/dinum_cabinets`;
  const patches = () => fake.requests.filter((q) => q.startsWith(`PATCH /v1/${policyName()}?`));

  beforeAll(async () => {
    ({ fake, r } = await startRolloutsWithFakeAmapi());
    dinum = await r.seed('dinum', { pushCertificate: false });
    enterpriseName = await bindAndroidEnterprise(r.h.api, dinum, fake, 'DINUM');
    await createGroup(r.h.api, dinum, 'cabinets', 'Cabinets');
    const enrollment = await createEnrollment(r.h.api, dinum, {
      group: 'cabinets',
      platform: 'android',
      maxUses: 3,
    });
    phones = [0, 1, 2].map(() => fake.enrollDevice(enrollment.androidToken!, { apps: APPS }));
    fake.syncDevices();
    await fake.flushPushes();
  });

  afterAll(async () => {
    await r?.close();
    await fake?.stop();
  });

  it('before any ban, the phones run the baseline group policy and keep WhatsApp', async () => {
    expect(patches()).toHaveLength(1);
    expect(phones.every((p) => p.apps.every((a) => a.state === 'INSTALLED'))).toBe(true);
  });

  it('publishing the French messaging ban patches the group policy once, through 429 and 503, and the phones end verified', async () => {
    await createPolicy(r.h.api, dinum, messagingBan());
    fake.failNext(1, { status: 429, match: /^PATCH / });
    fake.failNext(1, { status: 503, match: /^PATCH / });
    const { rolloutId } = await publishVersion(r.h.api, dinum, 'messageries');

    const pushed = await eventually('Android deliveries pushed', async () => {
      const body = await rollout(rolloutId);
      return body.counts?.pushed === 3 ? body : undefined;
    });
    expect(pushed.total).toBe(3);
    expect(fake.injected).toEqual([429, 503]);
    // One successful patch for the version (the first two attempts were the injected failures).
    expect(patches()).toHaveLength(4);
    const applications = fake.policy(policyName())!.body.applications as Array<{
      packageName: string;
      installType: string;
    }>;
    expect(applications).toContainEqual({ packageName: 'com.whatsapp', installType: 'BLOCKED' });
    expect(applications).toContainEqual({ packageName: 'org.telegram.messenger', installType: 'BLOCKED' });

    fake.syncDevices();
    await fake.flushPushes();
    const verified = await eventually('Android deliveries verified', async () => {
      const body = await rollout(rolloutId);
      return body.counts?.verified === 3 ? body : undefined;
    });
    expect(verified.percentDone).toBe(100);
    expect(verified.countsByPlatform).toEqual({
      android: expect.objectContaining({ verified: 3, pushed: 0 }),
    });

    const devices = (await http().get('/v1/devices?platform=android').set(r.as(dinum, 'auditor'))).body;
    const version = String(fake.policy(policyName())!.version);
    expect(devices).toHaveLength(3);
    for (const device of devices) {
      expect(device).toMatchObject({
        policyCompliant: true,
        appliedPolicyVersion: version,
        nonComplianceDetails: [],
      });
      const inventory = (await http().get(`/v1/devices/${device.udid}/inventory`).set(r.as(dinum, 'auditor')))
        .body;
      expect(inventory.apps.find((a: { identifier: string }) => a.identifier === 'com.whatsapp').state).toBe(
        'REMOVED',
      );
      expect(
        inventory.apps.find((a: { identifier: string }) => a.identifier === 'io.olvid.messenger').state,
      ).toBe('INSTALLED');
    }
  });

  it('a phone that keeps WhatsApp is not compliant, but has applied the version', async () => {
    const enrollment = await createEnrollment(r.h.api, dinum, {
      group: 'cabinets',
      platform: 'android',
      maxUses: 1,
    });
    const stubborn = fake.enrollDevice(enrollment.androidToken!, { apps: APPS, keepsBlockedApps: true });
    fake.syncDevices();
    await fake.flushPushes();
    const device = (
      await http()
        .get(`/v1/devices/${stubborn.name.split('/').pop()}`)
        .set(r.as(dinum, 'auditor'))
    ).body;
    expect(device.policyCompliant).toBe(false);
    expect(device.nonComplianceDetails).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ nonComplianceReason: 'APP_INSTALLED', packageName: 'com.whatsapp' }),
      ]),
    );
  });

  it('a version effective later reaches Google only at that moment (scheduled enforcement)', async () => {
    await http()
      .post('/v1/policies')
      .set(r.as(dinum, 'officer'))
      .send({
        slug: 'loisirs',
        name: 'Applications récréatives',
        groups: ['cabinets'],
        blockLists: ['fr-gov-2023-recreational'],
        effectiveAt: new Date(Date.now() + 4_000).toISOString(),
      })
      .expect(201);
    const before = patches().length;
    const { rolloutId } = (
      await http().post('/v1/policies/loisirs/versions').set(r.as(dinum, 'officer')).expect(201)
    ).body as { rolloutId: string };
    expect((await rollout(rolloutId)).state).toBe('scheduled');
    expect(patches()).toHaveLength(before);
    await eventually('scheduled Android leg', async () => (patches().length > before ? true : undefined));
    const applications = fake.policy(policyName())!.body.applications as Array<{
      packageName: string;
      installType: string;
    }>;
    // Both policies target the group: its AMAPI policy carries both bans.
    expect(applications).toContainEqual({ packageName: 'com.zhiliaoapp.musically', installType: 'BLOCKED' });
    expect(applications).toContainEqual({ packageName: 'com.whatsapp', installType: 'BLOCKED' });
    fake.syncDevices();
    await fake.flushPushes();
    const done = await eventually('scheduled rollout verified', async () => {
      const body = await rollout(rolloutId);
      return body.counts?.verified === 4 ? body : undefined;
    });
    expect(done.counts.verified).toBe(4);
  });

  it('deliveries that waited for a tenant without an enterprise are published once it binds one', async () => {
    const armee = await r.seed('armee', { pushCertificate: false });
    await createGroup(r.h.api, armee, 'etat-major', 'EM');
    const group = await r.h.api.sql(`SELECT id FROM device_groups WHERE tenant_id = $1`, [armee.id]);
    await r.h.api.sql(
      `INSERT INTO devices (tenant_id, platform, group_id, udid, status, applied_policy_version)
       VALUES ($1, 'android', $2, 'armee-1', 'enrolled', 99)`,
      [armee.id, group.rows[0].id],
    );
    await createPolicy(
      r.h.api,
      armee,
      messagingBan({ name: 'M', groups: ['etat-major'], allowLists: undefined }),
    );
    const { rolloutId } = await publishVersion(r.h.api, armee, 'messageries');
    const waiting = await eventually('Android delivery waiting', async () => {
      const body = (await http().get(`/v1/rollouts/${rolloutId}`).set(r.as(armee, 'auditor'))).body;
      return body.counts?.pending === 1 ? body : undefined;
    });
    expect(waiting.reasons).toEqual([
      { state: 'pending', reason: 'Android channel not configured', count: 1 },
    ]);

    const armeeEnterprise = await bindAndroidEnterprise(r.h.api, armee, fake, 'Armée');
    // What the 15-minute Android schedule does first.
    expect(await r.worker.get(AndroidRolloutLegService).publishPending()).toBe(1);
    const apps = fake.policy(`${armeeEnterprise}/policies/armee_etat-major`)!.body.applications;
    expect(apps).toContainEqual({ packageName: 'com.whatsapp', installType: 'BLOCKED' });
    // The phone already reports a policy version above the one published: verified at once.
    const done = (await http().get(`/v1/rollouts/${rolloutId}`).set(r.as(armee, 'auditor'))).body;
    expect(done.counts).toMatchObject({ pending: 0, verified: 1 });
    expect(await r.worker.get(AndroidRolloutLegService).publishPending()).toBe(0);
  });
});
