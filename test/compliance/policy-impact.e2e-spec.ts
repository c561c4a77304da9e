import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startApi, type ApiHarness, type SeededTenant } from '../support/api-harness.js';
import { ANDROID_WHATSAPP, OLVID, publishMessagingPolicy, seedDevice, WHATSAPP } from './compliance-seed.js';

const TIKTOK = 'com.zhiliaoapp.musically';

describe('GET /v1/policies/{slug}/impact: what the next version would newly block, and where', () => {
  let api: ApiHarness;
  let dinum: SeededTenant;
  const as = () => ({ Authorization: `Bearer ${dinum.tokens.auditor}` });

  beforeAll(async () => {
    api = await startApi();
    dinum = await api.seedTenant('dinum');
    await publishMessagingPolicy(api, dinum, 'cabinets');
    const officer = { Authorization: `Bearer ${dinum.tokens.officer}` };
    await api
      .http()
      .post('/v1/groups')
      .set(officer)
      .send({ slug: 'prefectures', name: 'Préfectures' })
      .expect(201);
    // Version 1 already blocks WhatsApp in "cabinets": it is not newly blocked there.
    await seedDevice(api, dinum, { group: 'cabinets', apps: [WHATSAPP, TIKTOK] });
    await seedDevice(api, dinum, { group: 'cabinets', supervised: false, apps: [TIKTOK, OLVID] });
    await seedDevice(api, dinum, { group: 'cabinets', apps: [OLVID] });
    // "prefectures" joins the policy in the draft: WhatsApp becomes blocked there.
    await seedDevice(api, dinum, { group: 'prefectures', supervised: null, apps: [WHATSAPP] });
    await seedDevice(api, dinum, { group: 'prefectures', platform: 'android', apps: [ANDROID_WHATSAPP] });
    await seedDevice(api, dinum, { group: 'prefectures', status: 'unenrolled', apps: [WHATSAPP] });
    await api
      .http()
      .patch('/v1/policies/messageries')
      .set(officer)
      .send({
        groups: ['cabinets', 'prefectures'],
        blockLists: ['fr-gov-2023-messaging', 'fr-gov-2023-recreational'],
      })
      .expect(200);
  });
  afterAll(() => api.close());

  it('counts devices, apps, groups and unsupervised iPhones from current inventories, before publishing', async () => {
    const res = await api.http().get('/v1/policies/messageries/impact').set(as()).expect(200);
    expect(res.body).toMatchObject({
      policy: 'messageries',
      currentVersion: 1,
      nextVersion: 2,
      mode: 'blocklist',
      devices: 4,
      unsupervisedIphones: 2,
      groups: [
        { group: 'cabinets', devices: 2 },
        { group: 'prefectures', devices: 2 },
      ],
    });
    expect(res.body.newlyBlocked.ios).toContain(TIKTOK);
    expect(res.body.newlyBlocked.ios).not.toContain(WHATSAPP);
    expect(res.body.apps).toEqual([
      {
        platform: 'ios',
        identifier: TIKTOK,
        app: 'tiktok',
        name: 'TikTok',
        devices: 2,
        groups: 1,
        unsupervisedIphones: 1,
      },
      {
        platform: 'android',
        identifier: ANDROID_WHATSAPP,
        app: 'whatsapp',
        name: 'WhatsApp',
        devices: 1,
        groups: 1,
        unsupervisedIphones: 0,
      },
      {
        platform: 'ios',
        identifier: WHATSAPP,
        app: 'whatsapp',
        name: 'WhatsApp',
        devices: 1,
        groups: 1,
        unsupervisedIphones: 1,
      },
    ]);
    // Nothing was published.
    const versions = await api.http().get('/v1/policies/messageries/versions').set(as()).expect(200);
    expect(versions.body).toHaveLength(1);
  });

  it('answers 404 for another tenant’s or an unknown policy', async () => {
    const other = await api.seedTenant('armees');
    const res = await api
      .http()
      .get('/v1/policies/messageries/impact')
      .set({ Authorization: `Bearer ${other.tokens.auditor}` });
    expect(res.status).toBe(404);
  });
});
