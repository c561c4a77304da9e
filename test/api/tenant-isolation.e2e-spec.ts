import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type ApiHarness, type SeededTenant, startApi } from '../support/api-harness.js';

describe('tenant isolation: an officer of tenant A never reaches tenant B', () => {
  let api: ApiHarness;
  let a: SeededTenant;
  let b: SeededTenant;
  let bTokenId: string;
  const asAdminOfA = () => ({ Authorization: `Bearer ${a.tokens.admin}` });

  beforeAll(async () => {
    api = await startApi();
    a = await api.seedTenant('interieur');
    b = await api.seedTenant('armees');
    await api
      .http()
      .post('/v1/groups')
      .set({ Authorization: `Bearer ${b.tokens.officer}` })
      .send({ slug: 'etat-major', name: 'État-major' })
      .expect(201);
    const tokens = await api
      .http()
      .get('/v1/tokens')
      .set({ Authorization: `Bearer ${b.tokens.admin}` });
    bTokenId = tokens.body[0].id;
  });
  afterAll(() => api.close());

  it("gets 404 for B's group", async () => {
    const res = await api.http().get('/v1/groups/etat-major').set(asAdminOfA());
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
  });

  it("gets 404 for B's officer, reading and disabling", async () => {
    expect((await api.http().get(`/v1/officers/${b.officerIds.officer}`).set(asAdminOfA())).status).toBe(404);
    expect((await api.http().delete(`/v1/officers/${b.officerIds.officer}`).set(asAdminOfA())).status).toBe(
      404,
    );
    const still = await api.sql('SELECT disabled_at FROM officers WHERE id = $1', [b.officerIds.officer]);
    expect(still.rows[0].disabled_at).toBeNull();
  });

  it("gets 404 for B's token, issuing and revoking", async () => {
    expect(
      (await api.http().post(`/v1/officers/${b.officerIds.auditor}/tokens`).set(asAdminOfA()).send({}))
        .status,
    ).toBe(404);
    expect((await api.http().delete(`/v1/tokens/${bTokenId}`).set(asAdminOfA())).status).toBe(404);
    const still = await api.sql('SELECT revoked_at FROM api_tokens WHERE id = $1', [bTokenId]);
    expect(still.rows[0].revoked_at).toBeNull();
  });

  it("lists none of B's groups, officers, tokens or audit events", async () => {
    const groups = await api.http().get('/v1/groups').set(asAdminOfA());
    expect(groups.body).toEqual([]);
    const officers = await api.http().get('/v1/officers').set(asAdminOfA());
    expect(officers.body.map((o: { email: string }) => o.email).sort()).toEqual([
      'admin@interieur.gouv.fr',
      'auditor@interieur.gouv.fr',
      'officer@interieur.gouv.fr',
    ]);
    const tokens = await api.http().get('/v1/tokens').set(asAdminOfA());
    const bTokens = await api.sql('SELECT id FROM api_tokens WHERE tenant_id = $1', [b.id]);
    const bIds = new Set(bTokens.rows.map((r) => r.id));
    expect(tokens.body.some((t: { id: string }) => bIds.has(t.id))).toBe(false);
    const events = await api.http().get('/v1/audit-events?limit=500').set(asAdminOfA());
    expect(events.body.items.length).toBeGreaterThan(0);
    expect(JSON.stringify(events.body)).not.toContain('armees');
    expect(JSON.stringify(events.body)).not.toContain('etat-major');
  });

  it('lets both tenants use the same group slug', async () => {
    const res = await api
      .http()
      .post('/v1/groups')
      .set(asAdminOfA())
      .send({ slug: 'etat-major', name: 'Homonyme' });
    expect(res.status).toBe(201);
    const bView = await api
      .http()
      .get('/v1/groups/etat-major')
      .set({ Authorization: `Bearer ${b.tokens.auditor}` });
    expect(bView.body.name).toBe('État-major');
  });
});
