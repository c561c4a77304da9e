import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { generateKeyPairSync, randomUUID, X509Certificate } from 'node:crypto';
import { createScepRequest, encodePlist } from '#libs/apple';
import { type MdmHarness, startApiAndMdm } from '../support/mdm-harness.js';
import { makePushCertificate } from '../support/push-certificate.js';
import type { SeededTenant } from '../support/api-harness.js';
import { SimulatedIphone } from '../simulators/iphone-simulator.js';
import { databaseFingerprint } from './database-fingerprint.js';
import { closeHttpClient, json, send } from './http-client.js';
import { mutate, mutationArbitrary, propertySettings, strangerBytes } from './fast-check-settings.js';

/*
 * Issue 8.3 and 7.4 over HTTP, against the real mdm process and database: whatever a stranger sends
 * to the phone-facing routes, and whatever a valid phone message becomes with a byte changed, the
 * answer is a 4xx, nothing is authenticated and no row of any table changes.
 */
describe('properties of the phone-facing routes', () => {
  let h: MdmHarness;
  let dinum: SeededTenant;
  let phone: SimulatedIphone;
  let enrollUrl: string;
  const mdm = (path: string, options?: Parameters<typeof send>[1]) => send(`${h.mdmUrl}${path}`, options);
  const fingerprint = () => databaseFingerprint(h.api.sql);

  beforeAll(async () => {
    // No failure limit here: the properties are one address making thousands of failed attempts.
    h = await startApiAndMdm({ AUTH_FAILURE_LIMIT: '0' }, { logLevel: 'silent' });
    dinum = await h.api.seedTenant('dinum');
    const as = { Authorization: `Bearer ${dinum.tokens.admin}` };
    const push = makePushCertificate();
    await h.api
      .http()
      .put('/v1/apple/push-certificate')
      .set(as)
      .send({ certificate: push.certificatePem, privateKey: push.privateKeyPem })
      .expect(200);
    await h.api.http().post('/v1/groups').set(as).send({ slug: 'cabinets', name: 'Cabinets' }).expect(201);
    const created = await h.api
      .http()
      .post('/v1/enrollments')
      .set(as)
      .send({ group: 'cabinets', platform: 'ios' })
      .expect(201);
    enrollUrl = created.body.enrollUrl;
    phone = new SimulatedIphone({ supervised: true, installedApps: [] });
    await phone.enroll(enrollUrl);
    await phone.processCommands();
  });
  afterAll(async () => {
    closeHttpClient();
    await h.close();
  });

  const tenantPath = fc.oneof(
    { weight: 3, arbitrary: fc.constant('real') },
    fc.constant(randomUUID()),
    fc.constant('dinum'),
    fc.string({ maxLength: 40, unit: 'grapheme' }).map((text) => encodeURIComponent(text)),
  );

  it('answers arbitrary bodies and signatures on check-in and command routes with a 4xx, writing nothing', async () => {
    const before = await fingerprint();
    await fc.assert(
      fc.asyncProperty(
        tenantPath,
        fc.constantFrom('checkin', 'server'),
        strangerBytes,
        fc.oneof(
          fc.constant(undefined),
          strangerBytes.map((bytes) => bytes.toString('base64')),
          fc.string({ maxLength: 200, unit: 'grapheme-ascii' }),
        ),
        async (tenant, route, body, signature) => {
          const headers: Record<string, string> = {};
          if (signature !== undefined) headers['Mdm-Signature'] = signature.replace(/[\r\n]/g, '');
          const res = await mdm(`/mdm/${tenant === 'real' ? dinum.id : tenant}/${route}`, {
            method: 'PUT',
            body,
            headers,
          });
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(res.status).toBeLessThan(500);
        },
      ),
      propertySettings(),
    );
    expect(await fingerprint()).toBe(before);
  });

  it('refuses a valid signed check-in or report with any byte of its body or signature changed, writing nothing', async () => {
    const messages = [
      encodePlist({ MessageType: 'Authenticate', Topic: phone.enrollment!.topic, UDID: phone.udid }),
      encodePlist({ MessageType: 'CheckOut', Topic: phone.enrollment!.topic, UDID: phone.udid }),
      encodePlist({ UDID: phone.udid, Status: 'Idle' }),
    ].map((body) => ({ body, signature: Buffer.from(phone.sign(body), 'base64') }));
    const before = await fingerprint();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: messages.length - 1 }),
        fc.constantFrom('body', 'signature'),
        mutationArbitrary,
        async (which, part, mutation) => {
          const { body, signature } = messages[which];
          const sent =
            part === 'body'
              ? { body: mutate(body, mutation), signature }
              : { body, signature: mutate(signature, mutation) };
          fc.pre(!sent.body.equals(body) || !sent.signature.equals(signature));
          const route = which === 2 ? 'server' : 'checkin';
          const res = await mdm(`/mdm/${dinum.id}/${route}`, {
            method: 'PUT',
            body: sent.body,
            headers: { 'Mdm-Signature': sent.signature.toString('base64') },
          });
          expect(res.status).toBe(400);
        },
      ),
      propertySettings(),
    );
    expect(await fingerprint()).toBe(before);
  });

  it('answers arbitrary and mutated SCEP requests with a 4xx or a signed FAILURE, issuing nothing', async () => {
    const ca = (await mdm(`/mdm/${dinum.id}/scep?operation=GetCACert`)).body;
    const caPem = new X509Certificate(ca).toString();
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    // A well-formed request whose challenge no enrollment issued: mutations of it must not do better.
    const valid = createScepRequest({
      recipientCertificates: [caPem],
      privateKey,
      subject: [['CN', 'stranger']],
      challengePassword: 'not-a-challenge-we-issued',
    }).message;
    const before = await fingerprint();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          strangerBytes.map((body) => ({ method: 'POST', query: 'operation=PKIOperation', body })),
          mutationArbitrary.map((m) => ({
            method: 'POST',
            query: 'operation=PKIOperation',
            body: mutate(valid, m),
          })),
          fc
            .tuple(fc.constantFrom('operation', 'message', 'x'), fc.string({ maxLength: 80 }))
            .map(([key, value]) => ({
              method: 'GET',
              query: `operation=PKIOperation&${key}=${encodeURIComponent(value)}`,
              body: undefined,
            })),
        ),
        async ({ method, query, body }) => {
          const res = await mdm(`/mdm/${dinum.id}/scep?${query}`, { method, body });
          expect(res.status).toBeLessThan(500);
          if (res.status === 200) expect(res.headers['content-type']).toMatch(/x-pki-message/);
        },
      ),
      propertySettings(),
    );
    expect(await fingerprint()).toBe(before);
  });

  it('answers every enrollment token but the real one with the same 404, issuing no challenge', async () => {
    const realToken = enrollUrl.split('/').pop()!;
    const unknown = json(await mdm(`/mdm/enroll/${'Z'.repeat(43)}`));
    delete unknown.requestId;
    const before = await fingerprint();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ minLength: 1, maxLength: 80, unit: 'grapheme' }),
          fc.base64String({ minLength: 40, maxLength: 48 }),
          mutationArbitrary.map((m) => mutate(Buffer.from(realToken), m).toString('latin1')),
        ),
        async (token) => {
          fc.pre(token !== realToken && token !== '');
          const res = await mdm(`/mdm/enroll/${encodeURIComponent(token)}`);
          const body = json(res);
          if (res.status === 404) {
            delete body.requestId;
            expect(body).toEqual(unknown);
          } else {
            // A path that cannot be a token at all (NUL byte, a slash...) is refused before lookup.
            expect([400, 404]).toContain(res.status);
          }
        },
      ),
      propertySettings(),
    );
    expect(await fingerprint()).toBe(before);
  });
});
