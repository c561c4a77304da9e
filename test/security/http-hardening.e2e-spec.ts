import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MetricsEndpoint } from '#libs/platform';
import { type MdmHarness, startApiAndMdm } from '../support/mdm-harness.js';
import { prepareAppleTenant } from '../support/apple-tenant.js';
import type { SeededTenant } from '../support/api-harness.js';
import { SimulatedIphone } from '../simulators/iphone-simulator.js';

/* Issue 7.7: headers, caching, failed-authentication limits, metrics off the public ports, tenants
 * not enumerable from the phone side, and the officer actions that were not audited. */
describe('HTTP hardening of api and mdm', () => {
  let h: MdmHarness;
  let dinum: SeededTenant;
  const as = (role: 'admin' | 'officer' | 'auditor') => ({ Authorization: `Bearer ${dinum.tokens[role]}` });
  const mdm = (path: string, init?: RequestInit) => fetch(`${h.mdmUrl}${path}`, init);
  let enrollment: { id: string; token: string; enrollUrl: string };

  beforeAll(async () => {
    // TRUST_PROXY lets the tests speak from several client addresses through X-Forwarded-For.
    h = await startApiAndMdm({ AUTH_FAILURE_LIMIT: '3', TRUST_PROXY: 'loopback' });
    const apple = await prepareAppleTenant(h, 'dinum', { group: { slug: 'cabinets', name: 'Cabinets' } });
    dinum = apple.tenant;
    enrollment = await apple.enrollment({ maxUses: 10 });
  });
  afterAll(() => h.close());

  describe('security headers and caching', () => {
    it('sends helmet’s security headers on the api and on mdm', async () => {
      const api = await h.api.http().get('/healthz');
      const phone = await mdm('/healthz');
      for (const headers of [api.headers, Object.fromEntries(phone.headers)]) {
        expect(headers['x-content-type-options']).toBe('nosniff');
        expect(headers['strict-transport-security']).toMatch(/max-age=\d+/);
        expect(headers['content-security-policy']).toMatch(/default-src 'self'/);
        expect(headers['x-frame-options']).toBe('SAMEORIGIN');
        expect(headers['x-powered-by']).toBeUndefined();
      }
    });

    it('marks every response that carries a secret no-store: tokens, enrollment tokens, profiles', async () => {
      const token = await h.api
        .http()
        .post(`/v1/officers/${dinum.officerIds.auditor}/tokens`)
        .set(as('admin'))
        .send({ label: 'ci' });
      expect(token.status).toBe(201);
      expect(token.headers['cache-control']).toBe('no-store');
      const created = await h.api
        .http()
        .post('/v1/enrollments')
        .set(as('officer'))
        .send({ group: 'cabinets', platform: 'ios' });
      expect(created.headers['cache-control']).toBe('no-store');
      const ca = await h.api.http().get('/v1/apple/ca-certificate').set(as('auditor'));
      expect(ca.headers['cache-control']).toBe('no-store');
      const profile = await fetch(enrollment.enrollUrl);
      expect(profile.status).toBe(200);
      expect(profile.headers.get('cache-control')).toBe('no-store');
    });
  });

  describe('failed authentications per address', () => {
    const from = (address: string) => ({ 'X-Forwarded-For': address });

    it('answers 429 with Retry-After once an address has failed AUTH_FAILURE_LIMIT times, even with a good token', async () => {
      for (let i = 0; i < 3; i++) {
        const res = await h.api
          .http()
          .get('/v1/me')
          .set(from('203.0.113.7'))
          .set('Authorization', `Bearer rmp_${'x'.repeat(43)}`);
        expect(res.status).toBe(401);
      }
      const blocked = await h.api.http().get('/v1/me').set(from('203.0.113.7')).set(as('auditor'));
      expect(blocked.status).toBe(429);
      expect(blocked.body).toMatchObject({ statusCode: 429, code: 'TOO_MANY_FAILED_AUTHENTICATIONS' });
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
      // Another address, and successful requests from it, are not affected.
      for (let i = 0; i < 5; i++) {
        expect((await h.api.http().get('/v1/me').set(from('198.51.100.2')).set(as('auditor'))).status).toBe(
          200,
        );
      }
    });

    it('does not count requests that carry no credential: signed-out console pages behind one office address', async () => {
      for (let i = 0; i < 10; i++) {
        const res = await h.api.http().get('/v1/me').set(from('203.0.113.8'));
        expect(res.status).toBe(401);
        expect(res.body.code).toBe('TOKEN_MISSING');
      }
      expect((await h.api.http().get('/v1/me').set(from('203.0.113.8')).set(as('auditor'))).status).toBe(200);
    });

    it('cuts off an address that keeps guessing enrollment tokens on mdm', async () => {
      const guess = () =>
        mdm(`/mdm/enroll/${'A'.repeat(43)}`, { headers: { 'X-Forwarded-For': '203.0.113.9' } });
      for (let i = 0; i < 3; i++) expect((await guess()).status).toBe(404);
      expect((await guess()).status).toBe(429);
      const real = enrollment.enrollUrl.replace(h.mdmUrl, '');
      expect((await mdm(real, { headers: { 'X-Forwarded-For': '203.0.113.9' } })).status).toBe(429);
      expect((await mdm(real, { headers: { 'X-Forwarded-For': '198.51.100.9' } })).status).toBe(200);
    });
  });

  describe('metrics', () => {
    it('are not served on the public api and mdm ports, only on their own listener', async () => {
      expect((await h.api.http().get('/metrics')).status).toBe(404);
      expect((await mdm('/metrics')).status).toBe(404);
      const port = await h.mdm.get(MetricsEndpoint).listen('127.0.0.1', 0);
      const scraped = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toContain('rempart_http_request_duration_seconds');
    });
  });

  describe('tenants are not enumerable from the phone side', () => {
    const shape = async (res: Response) => {
      const { requestId: _id, ...body } = (await res.json()) as Record<string, unknown>;
      return { status: res.status, body };
    };

    it('answers an unknown tenant exactly like an unknown enrollment token, and ignores slugs', async () => {
      const unknownToken = await shape(await mdm(`/mdm/enroll/${'B'.repeat(43)}`));
      expect(unknownToken.status).toBe(404);
      const probes = [
        `/mdm/dinum/scep?operation=GetCACert`,
        `/mdm/no-such-tenant/scep?operation=GetCACaps`,
        `/mdm/00000000-0000-4000-8000-000000000000/scep?operation=GetCACert`,
      ];
      for (const path of probes) expect(await shape(await mdm(path))).toEqual(unknownToken);
      for (const path of ['/mdm/dinum/checkin', '/mdm/armees/server']) {
        expect(await shape(await mdm(path, { method: 'PUT', body: '<plist/>' }))).toEqual(unknownToken);
      }
    });

    it('puts the tenant’s random id, not its slug, in the URLs an enrollment profile gives phones', async () => {
      const phone = new SimulatedIphone({ supervised: true, installedApps: [] });
      await phone.enroll(enrollment.enrollUrl);
      expect(phone.enrollment?.checkInUrl).toBe(`${h.mdmUrl}/mdm/${dinum.id}/checkin`);
      expect(phone.enrollment?.serverUrl).toBe(`${h.mdmUrl}/mdm/${dinum.id}/server`);
    });
  });

  describe('audit of what was not audited', () => {
    const events = async (action: string) =>
      (await h.api.http().get(`/v1/audit-events?action=${action}`).set(as('auditor'))).body.items as Array<
        Record<string, unknown>
      >;

    it('records the tenant CA generation once, by the system', async () => {
      const generated = await events('tenant-ca.generate');
      expect(generated).toHaveLength(1);
      expect(generated[0]).toMatchObject({
        actor: { id: null, label: 'system:first-use' },
        target: { type: 'tenant-ca', id: dinum.id },
        after: { sha256: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/) },
      });
    });

    it('records an officer queueing a command on a device', async () => {
      const phone = new SimulatedIphone({ supervised: true, installedApps: [] });
      await phone.enroll(enrollment.enrollUrl);
      await phone.processCommands();
      const queued = await h.api
        .http()
        .post(`/v1/devices/${phone.udid}/commands`)
        .set(as('officer'))
        .send({ requestType: 'SecurityInfo' });
      expect(queued.status).toBe(201);
      const [event] = await events('device.command.queue');
      expect(event).toMatchObject({
        actor: { id: dinum.officerIds.officer, label: 'officer@dinum.gouv.fr' },
        target: { type: 'device', id: phone.udid },
        after: { commandUuid: queued.body.commandUuid, requestType: 'SecurityInfo' },
      });
    });
  });
});
