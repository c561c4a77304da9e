import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ComplianceEvaluator } from '#libs/compliance';
import { startApi, type ApiHarness, type SeededTenant } from '../support/api-harness.js';
import { publishMessagingPolicy, seedDevice, WHATSAPP } from './compliance-seed.js';

/** The console's device list: filters by platform, supervision and a search, paged by the server. */
describe('GET /v1/compliance/devices: search and filters for the console', () => {
  let api: ApiHarness;
  let dinum: SeededTenant;
  const as = () => ({ Authorization: `Bearer ${dinum.tokens.auditor}` });
  const ids: Record<string, string> = {};

  const list = async (query: string) => {
    const res = await api.http().get(`/v1/compliance/devices?${query}`).set(as()).expect(200);
    return (res.body as Array<{ udid: string }>).map((d) => d.udid).sort();
  };
  const udidOf = async (id: string) =>
    (await api.sql('SELECT udid FROM devices WHERE id = $1', [id])).rows[0].udid as string;

  beforeAll(async () => {
    api = await startApi();
    dinum = await api.seedTenant('dinum');
    await publishMessagingPolicy(api, dinum, 'cabinets');
    ids.supervised = await seedDevice(api, dinum, { group: 'cabinets', apps: [WHATSAPP] });
    ids.unsupervised = await seedDevice(api, dinum, { group: 'cabinets', supervised: false });
    ids.unknown = await seedDevice(api, dinum, { group: 'cabinets', supervised: null });
    ids.android = await seedDevice(api, dinum, { group: 'cabinets', platform: 'android' });
    await api.sql(
      `UPDATE devices SET device_name = CASE id WHEN $1 THEN 'iPhone de Mme 100% Dupont' ELSE 'Téléphone' END,
                          serial_number = CASE id WHEN $2 THEN 'F2LXK9' ELSE 'SN-' || left(id::text, 8) END`,
      [ids.supervised, ids.unsupervised],
    );
    await api.app.get(ComplianceEvaluator).evaluateInDatabase(dinum.id);
    for (const key of Object.keys(ids)) ids[key] = await udidOf(ids[key]);
  });
  afterAll(() => api.close());

  it('filters by platform', async () => {
    expect(await list('platform=android')).toEqual([ids.android]);
    expect(await list('platform=ios')).toEqual([ids.supervised, ids.unsupervised, ids.unknown].sort());
  });

  it('filters supervised iPhones, and the iPhones whose supervision is not known to be on', async () => {
    expect(await list('supervised=true')).toEqual([ids.supervised]);
    expect(await list('supervised=false')).toEqual([ids.unsupervised, ids.unknown].sort());
  });

  it('finds a device by exact UDID, serial number prefix, or part of its name, with % taken literally', async () => {
    expect(await list(`q=${ids.android}`)).toEqual([ids.android]);
    expect(await list('q=f2l')).toEqual([ids.unsupervised]);
    expect(await list(`q=${encodeURIComponent('100%')}`)).toEqual([ids.supervised]);
    expect(await list(`q=${encodeURIComponent('%')}`)).toEqual([ids.supervised]);
    expect(await list('q=nothing-like-this')).toEqual([]);
  });

  it('combines filters with status and pages', async () => {
    expect(await list('status=non_compliant&supervised=true')).toEqual([ids.supervised]);
    const first = await list('limit=2&offset=0');
    const second = await list('limit=2&offset=2');
    expect(new Set([...first, ...second]).size).toBe(4);
  });

  it('exports to CSV the same devices the filtered list shows', async () => {
    const res = await api
      .http()
      .get('/v1/compliance/export.csv?platform=ios&supervised=false')
      .set(as())
      .expect(200);
    const udids = new Set(
      String(res.text)
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => line.split(',')[0]),
    );
    expect([...udids].sort()).toEqual([ids.unsupervised, ids.unknown].sort());
    const searched = await api.http().get('/v1/compliance/export.csv?q=f2l').set(as()).expect(200);
    expect(searched.text).toContain(ids.unsupervised);
    expect(searched.text).not.toContain(ids.supervised);
  });

  it('names the bad field', async () => {
    const res = await api.http().get('/v1/compliance/devices?supervised=maybe').set(as()).expect(400);
    expect(res.body.message).toMatch(/supervised.*must be true or false/);
    const platform = await api.http().get('/v1/compliance/devices?platform=windows').set(as()).expect(400);
    expect(platform.body.message).toMatch(/platform.*must be ios or android/);
  });
});
