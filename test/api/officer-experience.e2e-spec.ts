import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ApiHarness, SeededTenant } from '../support/api-harness.js';
import { startApi } from '../support/api-harness.js';
import { type MdmHarness, startApiAndMdm } from '../support/mdm-harness.js';
import { makePushCertificate } from '../support/push-certificate.js';
import { SimulatedIphone } from '../simulators/iphone-simulator.js';

/*
 * What a new officer trips on when following the README alone (issue 13, items 1 to 4): dates read
 * wrongly, links handed out before they can work, versions that do not say what they block, and
 * resources that answer the same mistake differently.
 */
describe('Officer experience: the API says what it does and what to fix', () => {
  let h: MdmHarness;
  let dinum: SeededTenant;
  const as = (role: 'admin' | 'officer' | 'auditor') => ({ Authorization: `Bearer ${dinum.tokens[role]}` });
  const http = () => h.api.http();
  const uploadPushCertificate = async () => {
    const push = makePushCertificate();
    await http()
      .put('/v1/apple/push-certificate')
      .set(as('admin'))
      .send({ certificate: push.certificatePem, privateKey: push.privateKeyPem })
      .expect(200);
  };

  beforeAll(async () => {
    h = await startApiAndMdm();
    dinum = await h.api.seedTenant('dinum');
    await http()
      .post('/v1/groups')
      .set(as('officer'))
      .send({ slug: 'cabinets', name: 'Cabinets' })
      .expect(201);
  });
  afterAll(() => h.close());

  describe('dates are strict', () => {
    const policy = {
      slug: 'datee',
      name: 'Datée',
      groups: ['cabinets'],
      blockLists: ['fr-gov-2023-messaging'],
    };

    it.each([
      ['08/12/2023', /effectiveAt: "08\/12\/2023" is not an ISO-8601 date \(YYYY-MM-DD or/],
      ['2023-02-30T00:00:00Z', /effectiveAt: "2023-02-30T00:00:00Z" is not a real date or time/],
      ['2023-12-08T25:00:00Z', /effectiveAt: "2023-12-08T25:00:00Z" is not a real date or time/],
      ['2023-12-08T09:00:00', /effectiveAt: "2023-12-08T09:00:00" has no time zone: add Z/],
      ['8 décembre 2023', /effectiveAt: "8 décembre 2023" is not an ISO-8601 date/],
    ])(
      'refuses effectiveAt %j on a new policy, saying why, and stores nothing',
      async (effectiveAt, message) => {
        const res = await http()
          .post('/v1/policies')
          .set(as('officer'))
          .send({ ...policy, effectiveAt });
        expect(res.status).toBe(400);
        expect(res.body.message).toMatch(message);
        expect((await h.api.sql(`SELECT 1 FROM policies WHERE slug = 'datee'`)).rowCount).toBe(0);
      },
    );

    it('applies the same rule to enrollment expiry and to the audit log’s from and to', async () => {
      const enrollment = await http()
        .post('/v1/enrollments')
        .set(as('officer'))
        .send({ group: 'cabinets', platform: 'ios', expiresAt: '2030-02-30' });
      expect(enrollment.status).toBe(400);
      expect(enrollment.body.message).toMatch(/expiresAt: "2030-02-30" is not a real date/);
      const from = await http().get('/v1/audit-events?from=08/12/2023').set(as('auditor'));
      expect(from.status).toBe(400);
      expect(from.body.message).toMatch(/from: "08\/12\/2023" is not an ISO-8601 date/);
      const to = await http().get('/v1/audit-events?to=2023-13-01').set(as('auditor'));
      expect(to.status).toBe(400);
      expect(to.body.message).toMatch(/to: "2023-13-01" is not a real date/);
      const fine = await http().get('/v1/audit-events?from=2023-12-08&to=2099-12-08T00:00:00%2B01:00');
      expect(fine.status).toBe(401);
      expect(
        (
          await http()
            .get('/v1/audit-events?from=2023-12-08&to=2099-12-08T00:00:00%2B01:00')
            .set(as('auditor'))
        ).status,
      ).toBe(200);
    });

    it('accepts a past effectiveAt on a new policy, stores the instant given, and says it is past', async () => {
      const res = await http()
        .post('/v1/policies')
        .set(as('officer'))
        .send({ ...policy, effectiveAt: '2023-12-08T00:00:00+01:00' });
      expect(res.status).toBe(201);
      expect(res.body.effectiveAt).toBe('2023-12-07T23:00:00.000Z');
      expect(res.body.warnings).toEqual([
        'effectiveAt 2023-12-07T23:00:00.000Z is in the past: the next version takes effect as soon as it is published',
      ]);
      const future = await http()
        .patch('/v1/policies/datee')
        .set(as('officer'))
        .send({ effectiveAt: '2099-12-08' });
      expect(future.body).toMatchObject({ effectiveAt: '2099-12-08T00:00:00.000Z', warnings: [] });
    });
  });

  describe('nothing is handed out that cannot work', () => {
    it('refuses an iPhone enrollment before a push certificate is uploaded, saying how to upload one', async () => {
      const res = await http()
        .post('/v1/enrollments')
        .set(as('officer'))
        .send({ group: 'cabinets', platform: 'ios' });
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('NO_PUSH_CERTIFICATE');
      expect(res.body.message).toMatch(/PUT \/v1\/apple\/push-certificate/);
      expect((await h.api.sql('SELECT 1 FROM enrollments')).rowCount).toBe(0);
    });

    it('shows an enrollment’s enrollUrl again, and that URL serves the profile', async () => {
      await uploadPushCertificate();
      const created = await http()
        .post('/v1/enrollments')
        .set(as('officer'))
        .send({ group: 'cabinets', platform: 'ios' })
        .expect(201);
      // The link enrolls phones: officers, who create enrollments, read it; auditors do not.
      expect((await http().get(`/v1/enrollments/${created.body.id}`).set(as('auditor'))).status).toBe(403);
      const shown = await http().get(`/v1/enrollments/${created.body.id}`).set(as('officer'));
      expect(shown.status).toBe(200);
      expect(shown.body).toMatchObject({
        id: created.body.id,
        group: 'cabinets',
        platform: 'ios',
        enrollUrl: created.body.enrollUrl,
      });
      const profile = await fetch(shown.body.enrollUrl);
      expect(profile.status).toBe(200);
      expect(profile.headers.get('content-type')).toBe('application/x-apple-aspen-config');
      expect(profile.headers.get('content-disposition')).toMatch(/enroll\.mobileconfig/);
      expect(
        (await http().get('/v1/enrollments/00000000-0000-4000-8000-000000000000').set(as('officer'))).status,
      ).toBe(404);
    });

    it('answers a refused enrollment URL in JSON, not as a profile to install', async () => {
      const unknown = await fetch(`${h.mdmUrl}/mdm/enroll/not-a-token`);
      expect(unknown.status).toBe(404);
      expect(unknown.headers.get('content-type')).toMatch(/^application\/json/);
      expect(unknown.headers.get('content-disposition')).toBeNull();
      const revoked = await http()
        .post('/v1/enrollments')
        .set(as('officer'))
        .send({ group: 'cabinets', platform: 'ios' })
        .expect(201);
      await http().delete(`/v1/enrollments/${revoked.body.id}`).set(as('officer')).expect(200);
      const gone = await fetch(revoked.body.enrollUrl);
      expect(gone.status).toBe(410);
      expect(gone.headers.get('content-type')).toMatch(/^application\/json/);
      expect(gone.headers.get('content-disposition')).toBeNull();
      expect(await gone.json()).toMatchObject({ code: 'ENROLLMENT_REVOKED' });
    });

    describe('without the development setting', () => {
      let strict: ApiHarness;
      beforeAll(async () => {
        strict = await startApi({ APNS_ALLOW_UNTRUSTED_PUSH_CERTIFICATES: 'false' });
      });
      afterAll(() => strict.close());

      it('refuses a push certificate that Apple did not issue, and keeps none', async () => {
        const tenant = await strict.seedTenant('armees');
        const push = makePushCertificate();
        const res = await strict
          .http()
          .put('/v1/apple/push-certificate')
          .set({ Authorization: `Bearer ${tenant.tokens.admin}` })
          .send({ certificate: push.certificatePem, privateKey: push.privateKeyPem });
        expect(res.status).toBe(400);
        expect(res.body.code).toBe('NOT_ISSUED_BY_APPLE');
        expect(res.body.message).toMatch(/not issued by Apple.*identity\.apple\.com\/pushcert/);
        expect((await strict.sql('SELECT 1 FROM push_certificates')).rowCount).toBe(0);
      });
    });
  });

  describe('what a version contains, in words', () => {
    beforeAll(async () => {
      await http()
        .post('/v1/app-lists')
        .set(as('officer'))
        .send({ slug: 'rencontres', name: 'Rencontres', kind: 'block', apps: ['fruitz', 'meetic', 'tinder'] })
        .expect(201);
      await http()
        .post('/v1/policies')
        .set(as('officer'))
        .send({
          slug: 'messageries',
          name: 'Messageries et rencontres',
          groups: ['cabinets'],
          blockLists: ['fr-gov-2023-messaging', 'rencontres'],
          allowLists: ['fr-gov-2023-messaging-approved'],
        })
        .expect(201);
    });

    it('marks an app without any identifier as needing a check in the catalog', async () => {
      const fruitz = await http().get('/v1/catalog/apps/fruitz').set(as('auditor'));
      expect(fruitz.body.needsVerification).toBe(true);
      expect(fruitz.body.checks.map((c: { code: string }) => c.code)).toEqual([
        'NO_IOS_IDENTIFIER',
        'NO_ANDROID_IDENTIFIER',
      ]);
      const unverified = await http().get('/v1/catalog/apps?unverified=true').set(as('auditor'));
      expect(unverified.body.map((a: { slug: string }) => a.slug)).toContain('fruitz');
    });

    it('publishes version 1 listing the apps by name and identifier, with what to check', async () => {
      const published = await http().post('/v1/policies/messageries/versions').set(as('officer'));
      expect(published.status).toBe(201);
      expect(published.body).toMatchObject({
        version: 1,
        unchanged: false,
        message: expect.stringMatching(/published/),
      });
      const { blocked, allowed, warnings } = published.body.contents;
      const whatsapp = blocked.apps.find((a: { slug: string }) => a.slug === 'whatsapp');
      expect(whatsapp).toMatchObject({
        name: 'WhatsApp',
        lists: ['fr-gov-2023-messaging'],
        ios: expect.arrayContaining([{ bundleId: 'net.whatsapp.WhatsApp', verified: true }]),
        android: expect.arrayContaining([{ packageName: 'com.whatsapp', verified: true }]),
      });
      expect(blocked.apps.find((a: { slug: string }) => a.slug === 'fruitz')).toMatchObject({
        name: 'Fruitz',
        ios: [],
        android: [],
      });
      expect(allowed.apps.map((a: { slug: string }) => a.slug)).toEqual(
        expect.arrayContaining(['olvid', 'tchap']),
      );
      const said = warnings.map(
        (w: { code: string; app: string; platform: string }) => `${w.code} ${w.app} ${w.platform}`,
      );
      expect(said).toEqual(
        expect.arrayContaining([
          'NO_IOS_IDENTIFIER fruitz ios',
          'NO_ANDROID_IDENTIFIER fruitz android',
          'NO_ANDROID_IDENTIFIER meetic android',
          'UNVERIFIED_IDENTIFIER meetic ios',
        ]),
      );
      expect(
        warnings.find(
          (w: { app: string; code: string }) => w.app === 'meetic' && w.code === 'NO_ANDROID_IDENTIFIER',
        ).message,
      ).toBe(
        'Meetic (meetic) has no Android package in the catalog: it is not blocked (or allowed) on Android phones',
      );

      const detail = await http().get('/v1/policies/messageries/versions/1').set(as('auditor'));
      expect(detail.body.contents).toEqual(published.body.contents);
    });

    it('names the blocked apps in the profile description phones show', async () => {
      const { rows } = await h.api.sql(
        `SELECT v.ban_spec->'policy'->>'description' AS description, v.ios_profile
           FROM policy_versions v JOIN policies p ON p.id = v.policy_id WHERE p.slug = 'messageries'`,
      );
      const description: string = rows[0].description;
      expect(description).toMatch(/^Applications interdites .*\n\nApplications bloquées \/ Blocked apps: /s);
      for (const name of ['WhatsApp', 'Telegram', 'Meetic', 'Tinder']) expect(description).toContain(name);
      // No iOS identifier: Fruitz is not blocked on iPhones, so the profile does not claim it is.
      expect(description).not.toContain('Fruitz');
      expect(description).not.toContain('Olvid');
      const profile = (rows[0].ios_profile as Buffer).toString('utf8');
      expect(profile).toContain('<key>PayloadDescription</key>');
      expect(profile).toContain('Blocked apps: ');
    });

    it('says that nothing changed instead of publishing an identical version, unless forced', async () => {
      const again = await http().post('/v1/policies/messageries/versions').set(as('officer'));
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({
        version: 1,
        unchanged: true,
        message: expect.stringMatching(/no version published/),
      });
      expect(again.body.rolloutId).toMatch(/^[0-9a-f-]{36}$/);
      expect((await http().get('/v1/policies/messageries/versions').set(as('auditor'))).body).toHaveLength(1);
      const forced = await http().post('/v1/policies/messageries/versions?force=true').set(as('officer'));
      expect(forced.status).toBe(201);
      expect(forced.body).toMatchObject({ version: 2, unchanged: false });
      const byBody = await http()
        .post('/v1/policies/messageries/versions')
        .set(as('officer'))
        .send({ force: true });
      expect(byBody.status).toBe(201);
      expect(byBody.body.version).toBe(3);
    });
  });

  describe('consistent resources', () => {
    it('refuses a slug in a policy PATCH, naming it, and changes nothing', async () => {
      const res = await http()
        .patch('/v1/policies/messageries')
        .set(as('officer'))
        .send({ slug: 'autre', name: 'Renommée' });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/^slug: cannot be changed/);
      const policy = await http().get('/v1/policies/messageries').set(as('auditor'));
      expect(policy.body.name).toBe('Messageries et rencontres');
    });

    it('answers PUT on a shipped list 409 "shipped, read-only", as DELETE does', async () => {
      const body = { slug: 'fr-gov-2023-messaging', name: 'X', kind: 'block', apps: ['tiktok'] };
      const put = await http().put('/v1/app-lists/fr-gov-2023-messaging').set(as('officer')).send(body);
      expect(put.status).toBe(409);
      expect(put.body).toMatchObject({ code: 'SHIPPED_LIST_READ_ONLY' });
      expect(put.body.message).toMatch(/is a shipped list, read-only: it cannot be replaced/);
      const del = await http().delete('/v1/app-lists/fr-gov-2023-messaging').set(as('officer'));
      expect(del.status).toBe(409);
      expect(del.body).toMatchObject({ code: 'SHIPPED_LIST_READ_ONLY' });
      expect(del.body.message).toMatch(/is a shipped list, read-only: it cannot be deleted/);
    });

    it('answers an unknown group named in a body or query 400 UNKNOWN_GROUP naming the field, and in a path 404', async () => {
      const refusals = [
        await http().post('/v1/enrollments').set(as('officer')).send({ group: 'nowhere', platform: 'ios' }),
        await http()
          .post('/v1/enrollments')
          .set(as('officer'))
          .send({ group: 'nowhere', platform: 'android' }),
        await http().get('/v1/devices?group=nowhere').set(as('auditor')),
        await http().get('/v1/compliance/summary?group=nowhere').set(as('auditor')),
      ];
      for (const res of refusals) {
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ code: 'UNKNOWN_GROUP', message: 'group: unknown group "nowhere"' });
      }
      const policy = await http()
        .post('/v1/policies')
        .set(as('officer'))
        .send({ slug: 'p', name: 'P', groups: ['nowhere'], blockLists: ['fr-gov-2023-messaging'] });
      expect(policy.status).toBe(400);
      expect(policy.body).toMatchObject({
        code: 'UNKNOWN_GROUP',
        message: 'groups: unknown group "nowhere"',
      });
      const path = await http().get('/v1/groups/nowhere').set(as('auditor'));
      expect(path.status).toBe(404);
      expect(path.body.code).toBe('NOT_FOUND');
    });

    it('shows a group’s device count and policies, and a device’s group and installed policy version', async () => {
      const empty = await http().get('/v1/groups').set(as('auditor'));
      expect(empty.body.find((g: { slug: string }) => g.slug === 'cabinets')).toMatchObject({ devices: 0 });

      const enrollment = await http()
        .post('/v1/enrollments')
        .set(as('officer'))
        .send({ group: 'cabinets', platform: 'ios' })
        .expect(201);
      const phone = new SimulatedIphone({ supervised: true, installedApps: [] });
      await phone.enroll(enrollment.body.enrollUrl);

      const group = await http().get('/v1/groups/cabinets').set(as('auditor'));
      expect(group.body).toMatchObject({ slug: 'cabinets', devices: 1, policies: ['datee', 'messageries'] });

      const listed = await http().get('/v1/devices').set(as('auditor'));
      expect(listed.body).toEqual([
        expect.objectContaining({ udid: phone.udid, group: 'cabinets', installedPolicies: [] }),
      ]);

      // The phone fetches its commands: the profile of messageries version 3 (the latest) is installed.
      await phone.processCommands();
      const device = await http().get(`/v1/devices/${phone.udid}`).set(as('auditor'));
      expect(device.body).toMatchObject({
        group: 'cabinets',
        installedPolicies: [
          { policy: 'messageries', version: 3, state: expect.stringMatching(/^(acknowledged|verified)$/) },
        ],
      });
    });
  });

  it('describes the new fields in the OpenAPI document', async () => {
    const { body } = await http().get('/docs/openapi.json');
    const schemas = body.components.schemas;
    expect(Object.keys(schemas.GroupResponse.properties)).toEqual(
      expect.arrayContaining(['devices', 'policies']),
    );
    expect(Object.keys(schemas.DeviceResponse.properties)).toEqual(
      expect.arrayContaining(['group', 'installedPolicies']),
    );
    expect(Object.keys(schemas.EnrollmentDetailResponse.properties)).toContain('enrollUrl');
    expect(Object.keys(schemas.PublishedVersionResponse.properties)).toEqual(
      expect.arrayContaining(['unchanged', 'message', 'contents']),
    );
    expect(Object.keys(schemas.PolicyVersionResponse.properties)).toContain('contents');
    expect(Object.keys(schemas.CatalogAppResponse.properties)).toContain('checks');
    expect(Object.keys(schemas.PolicyResponse.properties)).toContain('warnings');
    const publish = body.paths['/v1/policies/{slug}/versions'].post.responses;
    expect(Object.keys(publish)).toEqual(expect.arrayContaining(['200', '201']));
  });
});
