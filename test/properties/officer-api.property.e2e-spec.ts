import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { AddressInfo } from 'node:net';
import { type ApiHarness, type SeededTenant, startApi } from '../support/api-harness.js';
import { databaseFingerprint } from './database-fingerprint.js';
import { closeHttpClient, send } from './http-client.js';
import { propertySettings } from './fast-check-settings.js';

/*
 * Issue 7.4 and 8.3 over HTTP, against the real officer API and database: path parameters, query
 * strings and JSON bodies of any shape are never a 5xx; a refused request writes nothing; a request
 * without a valid token never authenticates.
 */
describe('properties of the officer API', () => {
  let api: ApiHarness;
  let dinum: SeededTenant;
  let base: string;
  const fingerprint = () => databaseFingerprint(api.sql);
  const bearer = (role: 'admin' | 'auditor') => ({ Authorization: `Bearer ${dinum.tokens[role]}` });

  beforeAll(async () => {
    api = await startApi({ AUTH_FAILURE_LIMIT: '0' }, { logLevel: 'silent' });
    dinum = await api.seedTenant('dinum');
    const admin = bearer('admin');
    await api.http().post('/v1/groups').set(admin).send({ slug: 'cabinets', name: 'Cabinets' }).expect(201);
    await api
      .http()
      .post('/v1/policies')
      .set(admin)
      .send({ slug: 'messageries', name: 'M', groups: ['cabinets'], blockLists: ['fr-gov-2023-messaging'] })
      .expect(201);
    await api.http().post('/v1/policies/messageries/versions').set(admin).expect(201);
    const server = api.app.getHttpServer();
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    closeHttpClient();
    await api.close();
  });

  /** Any text a URL can carry, percent-encoded: unicode, NUL, slashes, dots, huge numbers. */
  const pathText = fc
    .oneof(
      fc.string({ maxLength: 40, unit: 'grapheme' }),
      fc.string({ maxLength: 20, unit: 'binary-ascii' }),
      fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
      fc.constantFrom('..', '.', '%', '0', '-1', '1e20', '0x10', 'messageries', 'cabinets', 'dinum'),
    )
    .map((text) => encodeURIComponent(text));

  const GET_TEMPLATES = [
    '/v1/groups/:a',
    '/v1/policies/:a',
    '/v1/policies/messageries/versions/:a',
    '/v1/policies/:a/versions/:b',
    '/v1/policies/messageries/versions/:a/diff?against=:b',
    '/v1/policies/messageries/versions/:a/profile.mobileconfig',
    '/v1/policies/messageries/versions/:a/android-policy.json',
    '/v1/app-lists/:a',
    '/v1/app-lists/:a/export.yaml',
    '/v1/catalog/apps/:a',
    '/v1/devices/:a',
    '/v1/devices/:a/inventory',
    '/v1/devices/:a/commands',
    '/v1/officers/:a',
  ];

  it('never answers a 5xx to any path parameter', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...GET_TEMPLATES), pathText, pathText, async (template, a, b) => {
        const res = await send(`${base}${template.replace(':a', a).replace(':b', b)}`, {
          headers: bearer('admin'),
        });
        expect(res.status).toBeLessThan(500);
      }),
      propertySettings(),
    );
  });

  it('never answers a 5xx to any query string', async () => {
    const value = fc.oneof(
      fc.string({ maxLength: 30, unit: 'grapheme' }),
      fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }).map(String),
      fc.double().map(String),
      fc
        .date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true })
        .map((d) => d.toISOString()),
      fc.constantFrom('-271821-04-20T00:00:00Z', '+275760-09-13T00:00:00Z', 'true', 'ios', 'enrolled', ''),
    );
    const query = fc.array(
      fc.tuple(
        fc.constantFrom(
          'limit',
          'offset',
          'cursor',
          'from',
          'to',
          'actor',
          'action',
          'group',
          'platform',
          'status',
          'unverified',
          'q',
        ),
        value,
      ),
      { maxLength: 4 },
    );
    const LISTS = [
      '/v1/audit-events',
      '/v1/devices',
      '/v1/groups',
      '/v1/catalog/apps',
      '/v1/app-lists',
      '/v1/enrollments',
      '/v1/officers',
      '/v1/tokens',
      '/v1/policies',
    ];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...LISTS), query, async (path, pairs) => {
        const search = pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
        const res = await send(`${base}${path}?${search}`, { headers: bearer('auditor') });
        expect(res.status).toBeLessThan(500);
      }),
      propertySettings(),
    );
  });

  it('never answers a 5xx to any JSON body, and writes nothing when it refuses one', async () => {
    const field = fc.constantFrom(
      'slug',
      'name',
      'kind',
      'apps',
      'bundleIds',
      'packageNames',
      'groups',
      'blockLists',
      'allowLists',
      'forceInstall',
      'mode',
      'effectiveAt',
      'group',
      'platform',
      'expiresAt',
      'maxUses',
      'email',
      'role',
      'label',
      'expiresInDays',
      'requestType',
      'certificate',
      'privateKey',
      'pkcs12',
      'password',
      'description',
    );
    const jsonBody = fc.oneof(
      fc.dictionary(field, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }),
      fc.jsonValue({ maxDepth: 4 }),
    );
    const WRITES: Array<[string, string]> = [
      ['POST', '/v1/groups'],
      ['POST', '/v1/app-lists'],
      ['POST', '/v1/policies'],
      ['PATCH', '/v1/policies/messageries'],
      ['POST', '/v1/enrollments'],
      ['POST', '/v1/officers'],
      ['POST', `/v1/officers/:officer/tokens`],
      ['PUT', '/v1/apple/push-certificate'],
      ['PUT', '/v1/apple/signing-identity'],
      ['POST', '/v1/devices/00008110-000A1B2C3D4E5F60/commands'],
    ];
    let baseline = await fingerprint();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...WRITES), jsonBody, async ([method, path], body) => {
        const res = await send(`${base}${path.replace(':officer', dinum.officerIds.auditor)}`, {
          method,
          headers: { ...bearer('admin'), 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
        });
        expect(res.status).toBeLessThan(500);
        // Accepted bodies may create rows: the digest after the last accepted one is the baseline.
        const after = await fingerprint();
        if (res.status >= 400) expect(after).toBe(baseline);
        baseline = after;
      }),
      propertySettings(),
    );
  });

  it('never authenticates a request without a valid token, nor lets it write', async () => {
    const authorization = fc.oneof(
      fc.constant(undefined),
      // Any value an HTTP client can send in a header: visible ASCII, spaces and tabs.
      fc.string({
        maxLength: 80,
        unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
      }),
      fc.string({ maxLength: 60 }).map((t) => `Bearer ${encodeURIComponent(t)}`),
      fc
        .base64String({ minLength: 40, maxLength: 48 })
        .map((t) => `Bearer rmp_${t.replace(/[+/=]/g, 'A').slice(0, 43)}`),
      fc.nat({ max: 42 }).map((cut) => `Bearer ${dinum.tokens.admin.slice(0, cut)}`),
      fc.integer({ min: 4, max: 46 }).map((at) => {
        const token = dinum.tokens.admin;
        return `Bearer ${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`;
      }),
    );
    const ROUTES: Array<[string, string]> = [
      ['GET', '/v1/me'],
      ['GET', '/v1/audit-events'],
      ['POST', '/v1/groups'],
      ['POST', '/v1/officers'],
      ['GET', '/v1/tokens'],
      ['DELETE', `/v1/officers/${'0'.repeat(8)}-0000-4000-8000-000000000000`],
    ];
    const before = await fingerprint();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES), authorization, async ([method, path], header) => {
        const headers: Record<string, string> = { 'Content-Type': 'application/json' };
        if (header !== undefined) headers.Authorization = header;
        const res = await send(`${base}${path}`, {
          method,
          headers,
          body:
            method === 'GET'
              ? undefined
              : JSON.stringify({ slug: 'intrus', name: 'x', email: 'a@b.fr', role: 'admin' }),
        });
        expect(res.status).toBe(401);
      }),
      propertySettings(),
    );
    expect(await fingerprint()).toBe(before);
  });
});
