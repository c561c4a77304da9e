import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { ComplianceEvaluator, ComplianceReportsService, ComplianceSweepService } from '#libs/compliance';
import { startApi, type ApiHarness, type SeededTenant } from '../support/api-harness.js';
import {
  ANDROID_WHATSAPP,
  OLVID,
  publishMessagingPolicy,
  seedAndroidPublication,
  seedDevice,
  WHATSAPP,
  type DeviceSpec,
  type SeededVersion,
} from './compliance-seed.js';

describe('compliance rules: the set-based SQL and the TypeScript rules give the same verdicts', () => {
  let api: ApiHarness;
  let dinum: SeededTenant;
  let v1: SeededVersion;
  const expected = new Map<string, { status: string; name: string }>();

  beforeAll(async () => {
    api = await startApi();
    dinum = await api.seedTenant('dinum');
    v1 = await publishMessagingPolicy(api, dinum, 'cabinets');
    await api
      .http()
      .post('/v1/groups')
      .set({ Authorization: `Bearer ${dinum.tokens.officer}` })
      .send({ slug: 'libre', name: 'libre' })
      .expect(201);
    await seedAndroidPublication(api, dinum, v1, 'cabinets', 5);
    const ok: Array<[string, string]> = [[v1.profileIdentifier, v1.profileUuid]];
    const verified = { versionId: v1.versionId, state: 'verified' };
    const cases: Array<[string, string, DeviceSpec]> = [
      [
        'compliant',
        'profile in place, approved app, no banned app',
        { group: 'cabinets', profiles: ok, delivery: verified },
      ],
      [
        'non_compliant',
        'WhatsApp installed',
        { group: 'cabinets', apps: [WHATSAPP, OLVID], profiles: ok, delivery: verified },
      ],
      [
        'unenforceable',
        'unsupervised iPhone',
        { group: 'cabinets', supervised: false, profiles: ok, delivery: verified },
      ],
      [
        'non_compliant',
        'unsupervised with WhatsApp',
        { group: 'cabinets', supervised: false, apps: [WHATSAPP], profiles: ok },
      ],
      [
        'stale',
        'not seen for two days',
        { group: 'cabinets', lastSeenHoursAgo: 48, profiles: ok, delivery: verified },
      ],
      ['stale', 'never seen', { group: 'cabinets', lastSeenHoursAgo: null, profiles: ok }],
      ['unknown', 'no inventory yet', { group: 'cabinets', apps: null, profiles: null }],
      [
        'pending',
        'rollout in flight',
        { group: 'cabinets', delivery: { versionId: v1.versionId, state: 'pushed' } },
      ],
      [
        'non_compliant',
        'profile missing after a failed delivery',
        { group: 'cabinets', delivery: { versionId: v1.versionId, state: 'failed' } },
      ],
      [
        'non_compliant',
        'profile of another version',
        { group: 'cabinets', profiles: [[v1.profileIdentifier, 'OLD-UUID']] },
      ],
      [
        'unknown',
        'failed inventory',
        { group: 'cabinets', profiles: ok, inventoryError: 'InstalledApplicationList: refused' },
      ],
      ['unknown', 'no profile list', { group: 'cabinets', profiles: null }],
      ['unknown', 'supervision unknown', { group: 'cabinets', supervised: null, profiles: ok }],
      ['compliant', 'approved app missing is only a warning', { group: 'cabinets', apps: [], profiles: ok }],
      [
        'non_compliant',
        'Android phone with WhatsApp',
        { group: 'cabinets', platform: 'android', apps: [ANDROID_WHATSAPP] },
      ],
      [
        'compliant',
        'Android phone without banned app',
        { group: 'cabinets', platform: 'android', apps: ['org.thoughtcrime.securesms.not'] },
      ],
      [
        'compliant',
        'Android phone that removed WhatsApp and applied the policy',
        {
          group: 'cabinets',
          platform: 'android',
          apps: [OLVID],
          removedApps: [ANDROID_WHATSAPP],
          appliedPolicyVersion: 5,
        },
      ],
      [
        'non_compliant',
        'Android phone reporting APP_INSTALLED',
        {
          group: 'cabinets',
          platform: 'android',
          apps: [OLVID],
          appliedPolicyVersion: 5,
          nonCompliance: [{ nonComplianceReason: 'APP_INSTALLED', packageName: ANDROID_WHATSAPP }],
        },
      ],
      [
        'non_compliant',
        'Android phone on an older AMAPI policy',
        { group: 'cabinets', platform: 'android', apps: [OLVID], appliedPolicyVersion: 4 },
      ],
      [
        'pending',
        'Android phone with the rollout in flight',
        {
          group: 'cabinets',
          platform: 'android',
          apps: [OLVID],
          appliedPolicyVersion: 4,
          delivery: { versionId: v1.versionId, state: 'pushed' },
        },
      ],
      [
        'stale',
        'Android phone listed by the sync but silent for two days',
        {
          group: 'cabinets',
          platform: 'android',
          apps: [OLVID],
          appliedPolicyVersion: 5,
          lastSeenHoursAgo: 48,
        },
      ],
      ['unknown', 'enrollment not finished', { group: 'cabinets', status: 'pending', profiles: ok }],
      ['compliant', 'no policy for its group', { group: 'libre', apps: [WHATSAPP], profiles: [] }],
    ];
    for (const [status, name, spec] of cases) {
      expected.set(await seedDevice(api, dinum, spec), { status, name });
    }
  });
  afterAll(() => api.close());

  it('gives each case its status, the same in SQL and in TypeScript', async () => {
    const evaluator = api.app.get(ComplianceEvaluator);
    const now = new Date();
    const ids = [...expected.keys()];
    const [inSql, inTs] = await Promise.all([
      evaluator.verdictsInDatabase(dinum.id, null, now),
      evaluator.verdicts(dinum.id, ids, now),
    ]);
    for (const [id, { status, name }] of expected) {
      expect({ name, status: inTs.get(id)?.status }).toEqual({ name, status });
      expect({ name, verdict: inSql.get(id) }).toEqual({
        name,
        verdict: JSON.parse(JSON.stringify(inTs.get(id))),
      });
    }
  });

  it('names the banned app, its policy and the approved apps missing', async () => {
    const evaluator = api.app.get(ComplianceEvaluator);
    const verdicts = await evaluator.verdicts(dinum.id, [...expected.keys()], new Date());
    const whatsapp = [...expected].find(([, c]) => c.name === 'WhatsApp installed')![0];
    expect(verdicts.get(whatsapp)!.reasons).toEqual([
      expect.objectContaining({ code: 'banned_app', app: WHATSAPP, policy: 'messageries', version: 1 }),
    ]);
    const noOlvid = [...expected].find(([, c]) => c.name === 'approved app missing is only a warning')![0];
    expect(verdicts.get(noOlvid)!.warnings).toEqual([
      expect.objectContaining({
        code: 'approved_app_missing',
        policy: 'messageries',
        apps: expect.arrayContaining([OLVID]),
      }),
    ]);
  });

  it('writes statuses set-based with one history row per change, and nothing when nothing changed', async () => {
    const evaluator = api.app.get(ComplianceEvaluator);
    // Facts rows start as `unknown`: devices still unknown have no status change to record.
    const changing = [...expected.values()].filter((c) => c.status !== 'unknown').length;
    const changes = await evaluator.evaluateInDatabase(dinum.id);
    expect(changes).toHaveLength(changing);
    const { rows } = await api.sql(
      'SELECT device_id, status, non_compliant_since FROM device_compliance WHERE tenant_id = $1',
      [dinum.id],
    );
    for (const row of rows) {
      expect({ name: expected.get(row.device_id)!.name, status: row.status }).toEqual({
        name: expected.get(row.device_id)!.name,
        status: expected.get(row.device_id)!.status,
      });
      expect(row.non_compliant_since !== null).toBe(row.status === 'non_compliant');
    }
    expect(await evaluator.evaluateInDatabase(dinum.id)).toEqual([]);
    expect(
      await evaluator.evaluateDevices(api.app.get(DataSource).manager, dinum.id, [...expected.keys()]),
    ).toEqual([]);
    const history = await api.sql(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE event = 'device.non_compliant')::int AS events
         FROM compliance_history WHERE tenant_id = $1`,
      [dinum.id],
    );
    expect(history.rows[0]).toEqual({
      n: changing,
      events: [...expected.values()].filter((c) => c.status === 'non_compliant').length,
    });
  });

  it('judges listed devices (a report, a sync batch) as the whole-tenant evaluation does', async () => {
    const evaluator = api.app.get(ComplianceEvaluator);
    const ids = [...expected.keys()];
    await api.sql(
      `UPDATE device_compliance SET status = 'unknown', reasons = '[]' WHERE device_id = ANY($1)`,
      [ids.slice(0, 7)],
    );
    const changes = await evaluator.evaluateInDatabase(dinum.id, ids.slice(0, 7));
    expect(changes.map((c) => c.deviceId).sort()).toEqual(
      ids
        .slice(0, 7)
        .filter((id) => expected.get(id)!.status !== 'unknown')
        .sort(),
    );
    const { rows } = await api.sql('SELECT device_id, status FROM device_compliance WHERE tenant_id = $1', [
      dinum.id,
    ]);
    for (const row of rows) {
      expect({ name: expected.get(row.device_id)!.name, status: row.status }).toEqual({
        name: expected.get(row.device_id)!.name,
        status: expected.get(row.device_id)!.status,
      });
    }
  });

  it('keeps the summary equal to the statuses through changes, an unenrolled phone and the sweep', async () => {
    const reports = api.app.get(ComplianceReportsService);
    const counted = async () => {
      const { rows } = await api.sql(
        `SELECT status, count(*)::int AS n FROM device_compliance WHERE tenant_id = $1 GROUP BY status`,
        [dinum.id],
      );
      return Object.fromEntries(rows.map((r: { status: string; n: number }) => [r.status, r.n]));
    };
    const summarized = async () =>
      Object.fromEntries(
        Object.entries((await reports.summary(dinum.id, {})).counts).filter(([, n]) => n > 0),
      );
    expect(await summarized()).toEqual(await counted());
    const whatsapp = [...expected].find(([, c]) => c.name === 'WhatsApp installed')![0];
    await api.sql(`UPDATE devices SET status = 'unenrolled' WHERE id = $1`, [whatsapp]);
    await api.app.get(ComplianceEvaluator).evaluateInDatabase(dinum.id);
    expect((await counted()).non_compliant).toBe(
      [...expected.values()].filter((c) => c.status === 'non_compliant').length - 1,
    );
    expect(await summarized()).toEqual(await counted());
    await api.app.get(ComplianceSweepService).sweep(dinum.id);
    expect(await summarized()).toEqual(await counted());
    const { rows } = await api.sql(
      `SELECT count(*)::int AS rows, count(DISTINCT (group_id, status))::int AS keys
         FROM compliance_status_counts WHERE tenant_id = $1`,
      [dinum.id],
    );
    // Folded: one row per group and status.
    expect(rows[0].rows).toBe(rows[0].keys);
  });
});
