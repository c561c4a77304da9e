import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MetricsEndpoint } from '#libs/platform';
import { type ApiHarness, type SeededTenant, startApi } from '../support/api-harness.js';

describe('HTTP basics of the officer API', () => {
  let api: ApiHarness;
  let dinum: SeededTenant;
  const asOfficer = () => ({ Authorization: `Bearer ${dinum.tokens.officer}` });

  beforeAll(async () => {
    api = await startApi({ API_BODY_LIMIT_BYTES: '4096' });
    dinum = await api.seedTenant('dinum');
  });
  afterAll(() => api.close());

  it('answers malformed JSON with a 400 in the contract shape', async () => {
    const res = await api
      .http()
      .post('/v1/groups')
      .set(asOfficer())
      .set('Content-Type', 'application/json')
      .send('{"slug": "a",');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(res.body.message).toMatch(/^Malformed JSON body/);
  });

  it('names unknown fields instead of dropping them', async () => {
    const res = await api
      .http()
      .post('/v1/groups')
      .set(asOfficer())
      .send({ slug: 'cab', name: 'Cabinet', colour: 'blue', owner: 'x' });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('colour: unknown field');
    expect(res.body.message).toContain('owner: unknown field');
    expect((await api.sql(`SELECT 1 FROM device_groups WHERE slug = 'cab'`)).rowCount).toBe(0);
  });

  it('names a missing or invalid field', async () => {
    const res = await api.http().post('/v1/groups').set(asOfficer()).send({ slug: 'Not A Slug' });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/slug: must be lower-case/);
    expect(res.body.message).toMatch(/name: /);
  });

  it('refuses an oversize body with 413 and stores nothing', async () => {
    const res = await api
      .http()
      .post('/v1/groups')
      .set(asOfficer())
      .send({ slug: 'big', name: 'x'.repeat(10_000) });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
    expect(res.body.message).toMatch(/limit of 4096 bytes/);
    expect((await api.sql(`SELECT 1 FROM device_groups WHERE slug = 'big'`)).rowCount).toBe(0);
  });

  it('answers a duplicate slug with 409 and an unknown route with 404', async () => {
    await api
      .http()
      .post('/v1/groups')
      .set(asOfficer())
      .send({ slug: 'cabinet', name: 'Cabinet' })
      .expect(201);
    const dup = await api
      .http()
      .post('/v1/groups')
      .set(asOfficer())
      .send({ slug: 'cabinet', name: 'Cabinet bis' });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ code: 'GROUP_EXISTS', message: 'group "cabinet" already exists' });
    const missing = await api.http().get('/v1/no-such-thing').set(asOfficer());
    expect(missing.status).toBe(404);
    expect(missing.body.error).toBe('Not Found');
  });

  it('serves liveness, readiness, metrics (on their own listener) and the OpenAPI document without a token', async () => {
    expect((await api.http().get('/healthz')).body).toEqual({ status: 'ok' });
    const ready = await api.http().get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({ postgres: 'up', redis: 'up' });
    const port = await api.app.get(MetricsEndpoint).listen('127.0.0.1', 0);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain('rempart_http_request_duration_seconds_bucket');
    expect(metrics).toContain('rempart_process_cpu_user_seconds_total');
    const openapi = await api.http().get('/docs/openapi.json');
    expect(openapi.status).toBe(200);
    expect(Object.keys(openapi.body.paths)).toEqual(
      expect.arrayContaining(['/v1/groups', '/v1/audit-events', '/v1/officers']),
    );
    expect((await api.http().get('/docs')).status).toBe(200);
  });

  it('gives every response a request id and writes it on every log line of the request', async () => {
    const res = await api.http().get('/v1/groups').set(asOfficer());
    const id = res.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const lines = api.logs.filter((l) => l.reqId === id);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.service === 'api')).toBe(true);
    const hostile = await api.http().get('/healthz').set('X-Request-Id', 'bad id with spaces');
    expect(hostile.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs none of the bad input above at error level', () => {
    expect(api.logs.filter((line) => Number(line.level) >= 50)).toEqual([]);
  });
});

describe('readiness without Redis', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApi({ REDIS_URL: 'redis://127.0.0.1:1' });
  });
  afterAll(() => api.close());

  it('answers /readyz with 503 naming Redis as down', async () => {
    const res = await api.http().get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'unavailable', checks: { postgres: 'up', redis: 'down' } });
  });
});
