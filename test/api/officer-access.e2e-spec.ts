import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type ApiHarness, type SeededTenant, startApi } from '../support/api-harness.js';

describe('officer access: bearer tokens and roles', () => {
  let api: ApiHarness;
  let dinum: SeededTenant;
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    api = await startApi();
    dinum = await api.seedTenant('dinum');
  });
  afterAll(() => api.close());

  it.each([
    ['no Authorization header', undefined, 'TOKEN_MISSING'],
    ['a Basic header', 'Basic dXNlcjpwYXNz', 'TOKEN_MALFORMED'],
    ['a token of another shape', 'Bearer not-a-rempart-token', 'TOKEN_MALFORMED'],
    ['a well-formed but unknown token', `Bearer rmp_${'A'.repeat(43)}`, 'TOKEN_UNKNOWN'],
  ])('refuses %s with a 401 naming the cause', async (_case, header, code) => {
    const req = api.http().get('/v1/groups');
    const res = await (header ? req.set('Authorization', header) : req);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized', code });
    expect(typeof res.body.message).toBe('string');
  });

  it('refuses an expired token', async () => {
    const issued = await api
      .http()
      .post(`/v1/officers/${dinum.officerIds.auditor}/tokens`)
      .set(bearer(dinum.tokens.admin))
      .send({});
    expect(issued.status).toBe(201);
    await api.sql(`UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      issued.body.id,
    ]);
    const res = await api.http().get('/v1/groups').set(bearer(issued.body.token));
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('TOKEN_EXPIRED');
    expect(res.body.message).toMatch(/expired at/);
  });

  it('refuses a revoked token from the moment it is revoked', async () => {
    const issued = await api
      .http()
      .post(`/v1/officers/${dinum.officerIds.officer}/tokens`)
      .set(bearer(dinum.tokens.admin))
      .send({ label: 'laptop' });
    expect((await api.http().get('/v1/groups').set(bearer(issued.body.token))).status).toBe(200);
    const revoked = await api.http().delete(`/v1/tokens/${issued.body.id}`).set(bearer(dinum.tokens.admin));
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).toBeTruthy();
    const res = await api.http().get('/v1/groups').set(bearer(issued.body.token));
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('TOKEN_REVOKED');
  });

  it('stores only a hash of each token and shows the secret once', async () => {
    const issued = await api
      .http()
      .post(`/v1/officers/${dinum.officerIds.officer}/tokens`)
      .set(bearer(dinum.tokens.admin))
      .send({});
    const rows = await api.sql('SELECT * FROM api_tokens');
    expect(JSON.stringify(rows.rows)).not.toContain(issued.body.token);
    const listed = await api.http().get('/v1/tokens').set(bearer(dinum.tokens.admin));
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).not.toContain(issued.body.token);
    expect(listed.body.find((t: { id: string }) => t.id === issued.body.id)).toBeDefined();
  });

  it('lets an auditor read but not change anything', async () => {
    expect((await api.http().get('/v1/groups').set(bearer(dinum.tokens.auditor))).status).toBe(200);
    expect((await api.http().get('/v1/audit-events').set(bearer(dinum.tokens.auditor))).status).toBe(200);
    const res = await api
      .http()
      .post('/v1/groups')
      .set(bearer(dinum.tokens.auditor))
      .send({ slug: 'cabinet', name: 'Cabinet' });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'ROLE_INSUFFICIENT', error: 'Forbidden' });
    expect(res.body.message).toMatch(/auditor.*needs officer/);
    expect((await api.sql(`SELECT 1 FROM device_groups WHERE slug = 'cabinet'`)).rowCount).toBe(0);
  });

  it('lets an officer manage groups but not officers or tokens', async () => {
    const created = await api
      .http()
      .post('/v1/groups')
      .set(bearer(dinum.tokens.officer))
      .send({ slug: 'prefecture-nord', name: 'Préfecture du Nord' });
    expect(created.status).toBe(201);
    const officers = await api
      .http()
      .post('/v1/officers')
      .set(bearer(dinum.tokens.officer))
      .send({ email: 'x@dinum.gouv.fr', role: 'admin' });
    expect(officers.status).toBe(403);
    expect((await api.http().get('/v1/tokens').set(bearer(dinum.tokens.officer))).status).toBe(403);
    expect(
      (
        await api
          .http()
          .post(`/v1/officers/${dinum.officerIds.officer}/tokens`)
          .set(bearer(dinum.tokens.officer))
          .send({})
      ).status,
    ).toBe(403);
  });

  it('lets an admin create an officer whose new token works at once', async () => {
    const created = await api
      .http()
      .post('/v1/officers')
      .set(bearer(dinum.tokens.admin))
      .send({ email: 'RSSI@Dinum.gouv.fr', role: 'officer' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email: 'rssi@dinum.gouv.fr', role: 'officer', disabledAt: null });
    const issued = await api
      .http()
      .post(`/v1/officers/${created.body.id}/tokens`)
      .set(bearer(dinum.tokens.admin))
      .send({ expiresInDays: 7 });
    expect(issued.body.token).toMatch(/^rmp_/);
    const me = await api.http().get('/v1/me').set(bearer(issued.body.token));
    expect(me.body).toMatchObject({ tenant: 'dinum', email: 'rssi@dinum.gouv.fr', role: 'officer' });
    const duplicate = await api
      .http()
      .post('/v1/officers')
      .set(bearer(dinum.tokens.admin))
      .send({ email: 'rssi@dinum.gouv.fr', role: 'auditor' });
    expect(duplicate.status).toBe(409);
  });

  it('shuts a disabled officer out but keeps their history', async () => {
    const created = await api
      .http()
      .post('/v1/officers')
      .set(bearer(dinum.tokens.admin))
      .send({ email: 'leaver@dinum.gouv.fr', role: 'officer' });
    const issued = await api
      .http()
      .post(`/v1/officers/${created.body.id}/tokens`)
      .set(bearer(dinum.tokens.admin))
      .send({});
    await api
      .http()
      .post('/v1/groups')
      .set(bearer(issued.body.token))
      .send({ slug: 'leaver-group', name: 'Leaver' })
      .expect(201);
    await api.http().delete(`/v1/officers/${created.body.id}`).set(bearer(dinum.tokens.admin)).expect(200);
    const res = await api.http().get('/v1/groups').set(bearer(issued.body.token));
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('OFFICER_DISABLED');
    const history = await api
      .http()
      .get('/v1/audit-events?actor=leaver@dinum.gouv.fr')
      .set(bearer(dinum.tokens.auditor));
    expect(history.body.items.map((e: { action: string }) => e.action)).toEqual(['group.create']);
  });

  it('rejects bad officer input with the field named and stores nothing', async () => {
    const res = await api
      .http()
      .post('/v1/officers')
      .set(bearer(dinum.tokens.admin))
      .send({ email: 'not-an-email', role: 'superuser' });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/email/);
    expect(res.body.message).toMatch(/role: must be one of admin, officer, auditor/);
    expect((await api.sql(`SELECT 1 FROM officers WHERE email = 'not-an-email'`)).rowCount).toBe(0);
  });

  it('logs none of these refusals at error level', () => {
    expect(api.logs.filter((line) => Number(line.level) >= 50)).toEqual([]);
  });
});
