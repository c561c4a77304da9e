import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { encodePlist } from '#libs/apple';
import { type MdmHarness, startApiAndMdm } from '../support/mdm-harness.js';
import { prepareAppleTenant } from '../support/apple-tenant.js';
import type { SeededTenant } from '../support/api-harness.js';
import { SimulatedIphone } from '../simulators/iphone-simulator.js';

/*
 * Issue 7.4: nothing a stranger (or a careless officer script, or a buggy phone) sends is a 5xx.
 * Each case below answered 500 before; each must now be a 4xx in the contract's error shape that
 * names what was wrong, and must leave the database as it was.
 */
describe('input that used to answer 500', () => {
  let h: MdmHarness;
  let dinum: SeededTenant;
  const as = (role: 'admin' | 'officer' | 'auditor') => ({ Authorization: `Bearer ${dinum.tokens[role]}` });
  const mdm = (path: string, init?: RequestInit) => fetch(`${h.mdmUrl}${path}`, init);

  beforeAll(async () => {
    h = await startApiAndMdm();
    dinum = (await prepareAppleTenant(h, 'dinum', { group: { slug: 'cabinets', name: 'Cabinets' } })).tenant;
  });
  afterAll(() => h.close());

  describe('SCEP, without any credential', () => {
    it.each([
      ['a missing operation', '/scep', /operation/],
      ['an unknown operation', '/scep?operation=DropTables', /operation/],
      ['PKIOperation without a message', '/scep?operation=PKIOperation', /message/],
      ['a message that is not base64', '/scep?operation=PKIOperation&message=%21%21%21', /message/],
      ['a base64 message that is not DER', '/scep?operation=PKIOperation&message=aGVsbG8=', /message/],
    ])('answers %s with a 400 naming the parameter', async (_what, path, names) => {
      const res = await mdm(`/mdm/${dinum.id}${path}`);
      expect(res.status).toBe(400);
      const body = (await res.json()) as { statusCode: number; message: string; code: string };
      expect(body.statusCode).toBe(400);
      expect(body.message).toMatch(names);
      expect(body.code).toMatch(/^SCEP_/);
    });

    it('answers a POSTed garbage PKIOperation with a 400', async () => {
      const res = await mdm(`/mdm/${dinum.id}/scep?operation=PKIOperation`, {
        method: 'POST',
        body: Buffer.from([0x30, 0x82, 0xff, 0xff, 0x01, 0x02]),
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toMatch(/message/);
    });
  });

  describe('officer API, with a valid token', () => {
    it('refuses a NUL byte in a path parameter with a 400 naming the path', async () => {
      const res = await h.api.http().get('/v1/groups/cab%00inets').set(as('auditor'));
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/path.*NUL/);
    });

    it('refuses a NUL byte in a query parameter with a 400 naming it', async () => {
      const res = await h.api.http().get('/v1/audit-events?action=group.%00create').set(as('auditor'));
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/action.*NUL/);
    });

    it('refuses a NUL byte in a JSON string field with a 400 naming the field, and stores nothing', async () => {
      const res = await h.api
        .http()
        .post('/v1/groups')
        .set(as('officer'))
        .send({ slug: 'nul', name: 'Cabinet\u0000du ministre' });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/name.*NUL/);
      expect((await h.api.sql(`SELECT 1 FROM device_groups WHERE slug = 'nul'`)).rowCount).toBe(0);
    });

    it('refuses a NUL byte in a YAML list import with a 400, and stores nothing', async () => {
      const res = await h.api
        .http()
        .post('/v1/app-lists/import')
        .set(as('officer'))
        .set('Content-Type', 'application/yaml')
        .send('slug: nul-list\nname: "Liste\u0000"\nkind: block\napps: [whatsapp]\n');
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/body.*NUL/);
      expect((await h.api.sql(`SELECT 1 FROM app_lists WHERE slug = 'nul-list'`)).rowCount).toBe(0);
    });

    it('refuses a version number beyond integer range with a 400 naming it', async () => {
      await h.api
        .http()
        .post('/v1/policies')
        .set(as('officer'))
        .send({ slug: 'p', name: 'P', groups: ['cabinets'], blockLists: ['fr-gov-2023-messaging'] })
        .expect(201);
      const res = await h.api.http().get('/v1/policies/p/versions/99999999999999999999').set(as('auditor'));
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/\bn\b.*integer/);
      const diff = await h.api
        .http()
        .get('/v1/policies/p/versions/1/diff?against=4294967296')
        .set(as('auditor'));
      expect(diff.status).toBe(400);
      expect(diff.body.message).toMatch(/against.*integer/);
    });

    it.each([
      ['/v1/devices?offset=1e20', /offset/],
      ['/v1/devices?offset=99999999999999999999', /offset/],
      ['/v1/compliance/devices?offset=99999999999999999999', /offset/],
      ['/v1/compliance/devices?limit=0', /limit/],
      ['/v1/audit-events?cursor=99999999999999999999', /cursor/],
      ['/v1/audit-events?cursor=1e20', /cursor/],
    ])('refuses %s with a 400 naming the parameter', async (path, names) => {
      const res = await h.api.http().get(path).set(as('auditor'));
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(names);
    });

    it('refuses JSON nested 5,000 levels deep with a 400, and stores nothing', async () => {
      const deep = '['.repeat(5000) + ']'.repeat(5000);
      const res = await h.api
        .http()
        .post('/v1/groups')
        .set(as('officer'))
        .set('Content-Type', 'application/json')
        .send(`{"slug":"deep","name":"Deep","extra":${deep}}`);
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/nested/);
      expect((await h.api.sql(`SELECT 1 FROM device_groups WHERE slug = 'deep'`)).rowCount).toBe(0);
    });
  });

  describe('an enrolled phone sending malformed reports', () => {
    let phone: SimulatedIphone;

    beforeAll(async () => {
      const created = await h.api
        .http()
        .post('/v1/enrollments')
        .set(as('officer'))
        .send({ group: 'cabinets', platform: 'ios' })
        .expect(201);
      phone = new SimulatedIphone({ supervised: true, installedApps: [] });
      await phone.enroll(created.body.enrollUrl);
      await phone.processCommands();
    });

    async function report(body: Record<string, unknown>) {
      const bytes = encodePlist({ UDID: phone.udid, ...body });
      return mdm(`/mdm/${dinum.id}/server`, {
        method: 'PUT',
        body: bytes,
        headers: { 'Mdm-Signature': phone.sign(bytes) },
      });
    }

    it('refuses a CommandUUID that is not a UUID with a 400 naming it', async () => {
      const res = await report({ Status: 'Acknowledged', CommandUUID: 'not-a-uuid; DROP TABLE devices' });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toMatch(/CommandUUID/);
    });

    it('refuses a wrong-typed ProfileList answer with a 400 naming the key, once: the command fails, the phone moves on', async () => {
      await h.api
        .http()
        .post(`/v1/devices/${phone.udid}/commands`)
        .set(as('officer'))
        .send({ requestType: 'ProfileList' })
        .expect(201);
      const command = await phone.sendReport({ Status: 'Idle' });
      const commandUuid = String(command?.CommandUUID);
      const wrong = { Status: 'Acknowledged', CommandUUID: commandUuid, ProfileList: 'not an array' };
      const first = await report(wrong);
      expect(first.status).toBe(400);
      expect(((await first.json()) as { message: string }).message).toMatch(/ProfileList/);
      const listed = await h.api.http().get(`/v1/devices/${phone.udid}/commands`).set(as('auditor'));
      const failed = listed.body.find((c: { commandUuid: string }) => c.commandUuid === commandUuid);
      expect(failed).toMatchObject({ status: 'error' });
      // The phone retrying the same answer is no longer stuck on it.
      expect((await report(wrong)).status).toBe(200);
    });
  });
});
