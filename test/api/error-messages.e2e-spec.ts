import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type ApiHarness, type SeededTenant, startApi } from '../support/api-harness.js';

/** What an officer reads when a request is wrong: each field once, with what to fix. */
describe('error messages that say what to fix', () => {
  let api: ApiHarness;
  let dinum: SeededTenant;
  const asAdmin = () => ({ Authorization: `Bearer ${dinum.tokens.admin}` });

  beforeAll(async () => {
    api = await startApi();
    dinum = await api.seedTenant('dinum');
  });
  afterAll(() => api.close());

  it('says a missing field is required, once, instead of listing every rule it would have to meet', async () => {
    const res = await api.http().post('/v1/groups').set(asAdmin()).send({});
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      statusCode: 400,
      error: 'Bad Request',
      code: 'VALIDATION_FAILED',
      message: 'slug: is required; name: is required',
      errors: [
        { field: 'slug', message: 'is required' },
        { field: 'name', message: 'is required' },
      ],
    });
    expect(typeof res.body.requestId).toBe('string');
  });

  it('gives one message per field, the wrong type before the length rules', async () => {
    const res = await api.http().post('/v1/groups').set(asAdmin()).send({ slug: 'cabinet', name: 42 });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('name: must be a string');
    expect(res.body.errors).toEqual([{ field: 'name', message: 'must be a string' }]);
  });

  it('names every bad entry of a list at once, by its index, without grammar slips', async () => {
    const res = await api
      .http()
      .post('/v1/policies')
      .set(asAdmin())
      .send({ slug: 'p', name: 'P', groups: [1, 'cabinet', false], blockLists: 'fr-gov-2023-messaging' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { field: 'groups[0]', message: 'must be a string' },
      { field: 'groups[2]', message: 'must be a string' },
      { field: 'blockLists', message: 'must be an array' },
    ]);
    expect(res.body.message).not.toMatch(/each value in/);

    const nested = await api
      .http()
      .patch('/v1/apple/ade')
      .set(asAdmin())
      .send({ rules: [{ group: 7 }, {}], skipSetupItems: ['Siri', 3] });
    expect(nested.status).toBe(400);
    expect(nested.body.errors).toEqual([
      { field: 'rules[0].group', message: 'must be a string' },
      { field: 'rules[1].group', message: 'is required' },
      { field: 'skipSetupItems[1]', message: 'must be a string' },
    ]);
  });

  it('names every unknown app and malformed identifier of an app list in one answer', async () => {
    const res = await api
      .http()
      .post('/v1/app-lists')
      .set(asAdmin())
      .send({
        slug: 'typos',
        name: 'Typos',
        kind: 'block',
        apps: ['whatsap', 'tiktok', 'telegrm'],
        bundleIds: ['not a bundle id'],
      });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain("apps[0] (list 'typos'): 'whatsap' is not an app of the catalog");
    expect(res.body.message).toContain("apps[2] (list 'typos'): 'telegrm' is not an app of the catalog");
    expect(res.body.message).toContain("bundleIds[0] (list 'typos'): 'not a bundle id' is not a valid");
    expect(res.body.message).not.toContain('apps[1]');
  });

  it('names every unknown or mismatched list of a policy in one answer', async () => {
    await api
      .http()
      .post('/v1/groups')
      .set(asAdmin())
      .send({ slug: 'prefecture', name: 'Préfecture' })
      .expect(201);
    const res = await api
      .http()
      .post('/v1/policies')
      .set(asAdmin())
      .send({
        slug: 'typos',
        name: 'Typos',
        groups: ['prefecture'],
        blockLists: ['fr-gov-2023-messagin', 'fr-gov-2023-messaging-approved'],
        allowLists: ['nope'],
      });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('UNKNOWN_APP_LIST');
    expect(res.body.message).toBe(
      'blockLists: unknown app list "fr-gov-2023-messagin"; ' +
        'blockLists: "fr-gov-2023-messaging-approved" is an allow list, not a block list; ' +
        'allowLists: unknown app list "nope"',
    );
  });

  it('tells a JSON body sent with another content type to use application/json', async () => {
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded']) {
      const res = await api
        .http()
        .post('/v1/groups')
        .set(asAdmin())
        .set('Content-Type', contentType)
        .send('{"slug":"cabinet","name":"Cabinet"}');
      expect(res.status).toBe(415);
      expect(res.body).toMatchObject({
        statusCode: 415,
        error: 'Unsupported Media Type',
        code: 'JSON_BODY_REQUIRED',
      });
      expect(res.body.message).toContain('Content-Type: application/json');
      expect(res.body.message).toContain(contentType);
    }
    const array = await api
      .http()
      .post('/v1/groups')
      .set(asAdmin())
      .send([{ slug: 'cabinet', name: 'Cabinet' }]);
    expect(array.status).toBe(400);
    expect(array.body.errors).toEqual([{ field: 'body', message: 'must be a JSON object' }]);
    expect((await api.sql(`SELECT 1 FROM device_groups WHERE slug = 'cabinet'`)).rowCount).toBe(0);
  });

  it('answers an id that is not a UUID like an unknown id, naming what was looked for', async () => {
    const res = await api.http().get('/v1/officers/not-a-uuid').set(asAdmin());
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 'NOT_FOUND', message: 'officer "not-a-uuid" was not found' });
    const webhook = await api.http().delete('/v1/webhooks/42').set(asAdmin());
    expect(webhook.status).toBe(404);
    expect(webhook.body.message).toBe('webhook "42" was not found');
  });

  it('names a missing or malformed query parameter (against, in a version diff)', async () => {
    const missing = await api.http().get('/v1/policies/p/versions/2/diff').set(asAdmin());
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([
      { field: 'against', message: 'is required (query parameter: ?against=<integer>)' },
    ]);
    const malformed = await api.http().get('/v1/policies/p/versions/2/diff?against=first').set(asAdmin());
    expect(malformed.status).toBe(400);
    expect(malformed.body.message).toBe('against: must be an integer between 1 and 2147483647');
    const filter = await api.http().get('/v1/devices?platform=nokia').set(asAdmin());
    expect(filter.status).toBe(400);
    expect(filter.body.errors).toEqual([
      { field: 'platform', message: expect.stringContaining('ios, android') },
    ]);
  });
});
