import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cliAgainst } from '../support/cli.js';
import { type ApiHarness, type SeededTenant, startApi } from '../support/api-harness.js';

describe('audit log: every officer mutation, append-only and tamper-evident', () => {
  let api: ApiHarness;
  let dinum: SeededTenant;
  const asOfficer = () => ({ Authorization: `Bearer ${dinum.tokens.officer}` });
  const asAuditor = () => ({ Authorization: `Bearer ${dinum.tokens.auditor}` });

  const cli = (...argv: string[]) => cliAgainst(api.config.DATABASE_URL)(...argv);

  beforeAll(async () => {
    api = await startApi();
    dinum = await api.seedTenant('dinum');
  });
  afterAll(() => api.close());

  it('records actor, action, target, before/after and the request id of a mutation', async () => {
    const res = await api
      .http()
      .post('/v1/groups')
      .set(asOfficer())
      .set('X-Request-Id', 'req-group-1')
      .send({ slug: 'matignon', name: 'Matignon' });
    expect(res.status).toBe(201);
    expect(res.headers['x-request-id']).toBe('req-group-1');
    const events = await api.http().get('/v1/audit-events?action=group.create').set(asAuditor());
    expect(events.body.items).toHaveLength(1);
    expect(events.body.items[0]).toMatchObject({
      actor: { id: dinum.officerIds.officer, label: 'officer@dinum.gouv.fr' },
      action: 'group.create',
      target: { type: 'device_group', id: 'matignon' },
      before: null,
      after: { slug: 'matignon', name: 'Matignon' },
      requestId: 'req-group-1',
    });
    const logLines = api.logs.filter((l) => l.reqId === 'req-group-1');
    expect(logLines.length).toBeGreaterThan(0);
  });

  it('records nothing for a refused mutation', async () => {
    const before = (await api.sql('SELECT count(*)::int AS n FROM audit_events')).rows[0].n;
    await api
      .http()
      .post('/v1/groups')
      .set(asOfficer())
      .send({ slug: 'matignon', name: 'Doublon' })
      .expect(409);
    await api.http().post('/v1/groups').set(asAuditor()).send({ slug: 'elysee', name: 'Élysée' }).expect(403);
    expect((await api.sql('SELECT count(*)::int AS n FROM audit_events')).rows[0].n).toBe(before);
  });

  it('pages newest first and filters by actor, action and time', async () => {
    for (let i = 0; i < 5; i++) {
      await api
        .http()
        .post('/v1/groups')
        .set(asOfficer())
        .send({ slug: `prefecture-${i}`, name: `Préfecture ${i}` })
        .expect(201);
    }
    const first = await api.http().get('/v1/audit-events?limit=2&action=group.create').set(asAuditor());
    expect(first.body.items.map((e: { target: { id: string } }) => e.target.id)).toEqual([
      'prefecture-4',
      'prefecture-3',
    ]);
    const second = await api
      .http()
      .get(`/v1/audit-events?limit=2&action=group.create&cursor=${first.body.nextCursor}`)
      .set(asAuditor());
    expect(second.body.items.map((e: { target: { id: string } }) => e.target.id)).toEqual([
      'prefecture-2',
      'prefecture-1',
    ]);
    const byActor = await api.http().get(`/v1/audit-events?actor=${dinum.officerIds.admin}`).set(asAuditor());
    expect(byActor.body.items).toEqual([]);
    const future = await api.http().get('/v1/audit-events?from=2999-01-01T00:00:00Z').set(asAuditor());
    expect(future.body.items).toEqual([]);
    const bad = await api.http().get('/v1/audit-events?from=yesterday').set(asAuditor());
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/from: "yesterday" is not an ISO-8601 date/);
  });

  it('refuses UPDATE and DELETE on audit rows in the database itself', async () => {
    await expect(api.sql(`UPDATE audit_events SET action = 'x'`)).rejects.toThrow(/append-only/);
    await expect(api.sql('DELETE FROM audit_events')).rejects.toThrow(/append-only/);
  });

  it('audit verify passes on an intact chain', async () => {
    const result = await cli('audit', 'verify', '--tenant', 'dinum');
    expect(result.code).toBe(0);
    expect(result.out.join('\n')).toMatch(/intact \(\d+ events\)/);
  });

  it('audit verify names the first broken link after someone edits a row', async () => {
    const target = await api.sql(
      `SELECT seq FROM audit_events WHERE tenant_id = $1 AND target_id = 'prefecture-2'`,
      [dinum.id],
    );
    const seq = target.rows[0].seq as number;
    // An attacker with database superuser rights can lift the trigger; the chain still gives them away.
    await api.sql('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
    await api.sql(
      `UPDATE audit_events SET after = '{"slug":"prefecture-2","name":"Falsifiée"}' WHERE tenant_id = $1 AND seq = $2`,
      [dinum.id, seq],
    );
    await api.sql('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');

    const result = await cli('audit', 'verify', '--tenant', 'dinum');
    expect(result.code).toBe(1);
    expect(result.err).toHaveLength(1);
    expect(result.err[0]).toContain(`broken at event ${seq}`);
    expect(result.err[0]).toContain('edited');
  });

  it('audit verify names a deleted row too', async () => {
    await api.sql('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
    await api.sql(`DELETE FROM audit_events WHERE tenant_id = $1 AND seq = 2`, [dinum.id]);
    await api.sql('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
    const result = await cli('audit', 'verify', '--tenant', 'dinum');
    expect(result.code).toBe(1);
    expect(result.err[0]).toContain('broken at event 3: event 2 is missing');
  });

  it('audit verify of an unknown tenant is a one-line error', async () => {
    const result = await cli('audit', 'verify', '--tenant', 'nobody');
    expect(result.code).toBe(1);
    expect(result.err).toEqual(['rempart: tenant "nobody" was not found']);
  });
});
