import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodePlistDict, validatePayloadAgainstSchema } from '#libs/apple';
import { parseDiscoveryDocument, validateAgainstDiscovery } from '#libs/android';
import { type ApiHarness, type SeededTenant, startApi } from '../support/api-harness.js';
import { opensslCmsVerify, plistutilRoundTrip } from '../support/openssl.js';
import { APPLE_PROFILE_SCHEMA_DIR, readDiscoveryDocument } from '../support/vendor.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const binary = (
  res: { on: (e: string, cb: (c?: Buffer) => void) => void },
  cb: (err: Error | null, body: Buffer) => void,
) => {
  const chunks: Buffer[] = [];
  res.on('data', (c) => chunks.push(c!));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

describe('French messaging ban: lists, policy, publication, artifacts', () => {
  let api: ApiHarness;
  let dinum: SeededTenant;
  const as = (role: 'admin' | 'officer' | 'auditor') => ({ Authorization: `Bearer ${dinum.tokens[role]}` });

  beforeAll(async () => {
    api = await startApi();
    dinum = await api.seedTenant('dinum');
    await api
      .http()
      .post('/v1/groups')
      .set(as('officer'))
      .send({ slug: 'cabinets', name: 'Cabinets ministériels' })
      .expect(201);
  });
  afterAll(() => api.close());

  it('shows the catalog with unverified identifiers flagged', async () => {
    const whatsapp = await api.http().get('/v1/catalog/apps/whatsapp').set(as('auditor'));
    expect(whatsapp.body.ios[0]).toMatchObject({ bundleId: 'net.whatsapp.WhatsApp', verified: true });
    const unverified = await api.http().get('/v1/catalog/apps?unverified=true').set(as('auditor'));
    expect(unverified.body.length).toBeGreaterThan(0);
    expect(unverified.body.every((a: { needsVerification: boolean }) => a.needsVerification)).toBe(true);
  });

  it('lists the shipped lists next to the tenant’s own', async () => {
    const res = await api.http().get('/v1/app-lists').set(as('auditor'));
    const shipped = res.body
      .filter((l: { origin: string }) => l.origin === 'shipped')
      .map((l: { slug: string }) => l.slug);
    expect(shipped).toEqual(
      expect.arrayContaining(['fr-gov-2023-recreational', 'fr-gov-2023-messaging', 'ch-army-threema']),
    );
  });

  it.each([
    [{ slug: 'x', name: 'X', kind: 'block', apps: ['whatsap'] }, /whatsap/],
    [{ slug: 'x', name: 'X', kind: 'block', apps: [], bundleIds: ['not a bundle id'] }, /not a bundle id/],
    [{ slug: 'x', name: 'X', kind: 'block', apps: [], packageNames: ['com.-bad'] }, /com\.-bad/],
    [{ slug: 'x', name: 'X', kind: 'block', apps: [] }, /empty|no app/i],
    [{ slug: 'x', name: 'X', kind: 'deny', apps: ['whatsapp'] }, /kind: must be block or allow/],
  ])('refuses a bad list %j with a 400 naming the culprit', async (body, message) => {
    const res = await api.http().post('/v1/app-lists').set(as('officer')).send(body);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(message);
    expect((await api.sql(`SELECT 1 FROM app_lists WHERE slug = 'x'`)).rowCount).toBe(0);
  });

  it('refuses a tenant list under a shipped slug', async () => {
    const res = await api
      .http()
      .post('/v1/app-lists')
      .set(as('officer'))
      .send({ slug: 'fr-gov-2023-messaging', name: 'X', kind: 'block', apps: ['tiktok'] });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('SHIPPED_LIST_SLUG');
  });

  it('creates a list from catalog slugs and raw identifiers, and exports and re-imports it as YAML', async () => {
    const created = await api
      .http()
      .post('/v1/app-lists')
      .set(as('officer'))
      .send({
        slug: 'cabinet-extra',
        name: 'Cabinet extras',
        kind: 'block',
        apps: ['tiktok'],
        bundleIds: ['com.example.ChatApp'],
        packageNames: ['com.example.chat'],
      });
    expect(created.status).toBe(201);
    const exported = await api.http().get('/v1/app-lists/cabinet-extra/export.yaml').set(as('auditor'));
    expect(exported.headers['content-type']).toMatch(/application\/yaml/);
    expect(exported.text).toContain('com.example.ChatApp');
    const renamed = exported.text.replace('slug: cabinet-extra', 'slug: cabinet-extra-copy');
    const imported = await api
      .http()
      .post('/v1/app-lists/import')
      .set(as('officer'))
      .set('Content-Type', 'application/yaml')
      .send(renamed);
    expect(imported.status).toBe(201);
    expect(imported.body).toMatchObject({
      slug: 'cabinet-extra-copy',
      bundleIds: ['com.example.ChatApp'],
      origin: 'tenant',
    });
    const again = await api
      .http()
      .post('/v1/app-lists/import')
      .set(as('officer'))
      .set('Content-Type', 'application/yaml')
      .send(renamed);
    expect(again.status).toBe(409);
  });

  it('refuses unreadable YAML with a 400 and stores nothing', async () => {
    const before = (await api.sql('SELECT count(*)::int AS n FROM app_lists')).rows[0].n;
    const res = await api
      .http()
      .post('/v1/app-lists/import')
      .set(as('officer'))
      .set('Content-Type', 'application/yaml')
      .send('slug: [unclosed\n  kind: block');
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/YAML|yaml/);
    expect((await api.sql('SELECT count(*)::int AS n FROM app_lists')).rows[0].n).toBe(before);
  });

  it('refuses a policy that bans an approved app, naming the app, and stores nothing', async () => {
    await api
      .http()
      .post('/v1/app-lists')
      .set(as('officer'))
      .send({ slug: 'olvid-too', name: 'Olvid banned by mistake', kind: 'block', apps: ['olvid'] })
      .expect(201);
    const res = await api
      .http()
      .post('/v1/policies')
      .set(as('officer'))
      .send({
        slug: 'contradiction',
        name: 'Contradiction',
        groups: ['cabinets'],
        blockLists: ['olvid-too'],
        allowLists: ['fr-gov-2023-messaging-approved'],
      });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('APP_BOTH_BLOCKED_AND_ALLOWED');
    expect(res.body.message).toContain("'olvid'");
    expect((await api.sql(`SELECT 1 FROM policies WHERE slug = 'contradiction'`)).rowCount).toBe(0);
  });

  it('refuses unknown groups and lists, and a list of the wrong kind, naming the field', async () => {
    const base = { slug: 'p', name: 'P', groups: ['cabinets'], blockLists: ['fr-gov-2023-messaging'] };
    const noGroup = await api
      .http()
      .post('/v1/policies')
      .set(as('officer'))
      .send({ ...base, groups: ['nowhere'] });
    expect(noGroup.status).toBe(400);
    expect(noGroup.body.message).toMatch(/groups: unknown group "nowhere"/);
    const noList = await api
      .http()
      .post('/v1/policies')
      .set(as('officer'))
      .send({ ...base, blockLists: ['nothing'] });
    expect(noList.status).toBe(400);
    expect(noList.body.message).toMatch(/blockLists: unknown app list "nothing"/);
    const wrongKind = await api
      .http()
      .post('/v1/policies')
      .set(as('officer'))
      .send({ ...base, blockLists: ['fr-gov-2023-messaging-approved'] });
    expect(wrongKind.status).toBe(400);
    expect(wrongKind.body.message).toMatch(/is an allow list, not a block list/);
  });

  describe('publication', () => {
    let caPem: string;

    beforeAll(async () => {
      await api
        .http()
        .post('/v1/policies')
        .set(as('officer'))
        .send({
          slug: 'messageries',
          name: 'Messageries grand public',
          groups: ['cabinets'],
          blockLists: ['fr-gov-2023-messaging'],
          allowLists: ['fr-gov-2023-messaging-approved'],
          effectiveAt: '2023-12-08T00:00:00+01:00',
        })
        .expect(201);
      caPem = (await api.http().get('/v1/apple/ca-certificate').set(as('auditor'))).text;
    });

    it('generated the tenant CA and signing identity on first use, with private keys encrypted at rest', async () => {
      expect(caPem).toMatch(/^-----BEGIN CERTIFICATE-----/);
      const rows = await api.sql(
        'SELECT s.encrypted_private_key AS signing_key, c.encrypted_private_key AS ca_key FROM signing_identities s JOIN tenant_cas c USING (tenant_id) WHERE s.tenant_id = $1',
        [dinum.id],
      );
      expect(rows.rowCount).toBe(1);
      for (const value of Object.values(rows.rows[0]) as string[]) {
        expect(value).not.toMatch(/PRIVATE KEY|MII/);
        expect(value.length).toBeGreaterThan(100);
      }
    });

    it('does not let an auditor publish', async () => {
      expect((await api.http().post('/v1/policies/messageries/versions').set(as('auditor'))).status).toBe(
        403,
      );
    });

    it('publishes version 1 with a signed iOS profile that blocks WhatsApp, Telegram and Signal and not Olvid or Tchap', async () => {
      const published = await api.http().post('/v1/policies/messageries/versions').set(as('officer'));
      expect(published.status).toBe(201);
      expect(published.body).toMatchObject({ version: 1 });
      expect(new Date(published.body.effectiveAt).getTime()).toBeLessThanOrEqual(Date.now());

      const res = await api
        .http()
        .get('/v1/policies/messageries/versions/1/profile.mobileconfig')
        .set(as('auditor'))
        .buffer(true)
        .parse(binary);
      expect(res.headers['content-type']).toBe('application/x-apple-aspen-config');
      const content = opensslCmsVerify(res.body as Buffer, caPem);
      const profile = decodePlistDict(plistutilRoundTrip(content));
      const payload = (profile.PayloadContent as Array<Record<string, unknown>>)[0];
      expect(payload.PayloadType).toBe('com.apple.applicationaccess');
      const blocked = payload.blockedAppBundleIDs as string[];
      expect(blocked).toEqual(
        expect.arrayContaining([
          'net.whatsapp.WhatsApp',
          'ph.telegra.Telegraph',
          'org.whispersystems.signal',
        ]),
      );
      expect(blocked).not.toContain('io.olvid.messenger');
      expect(blocked).not.toContain('fr.gouv.tchap');
      expect(payload.blacklistedAppBundleIDs).toBeUndefined();
      const schema = validatePayloadAgainstSchema(profile, APPLE_PROFILE_SCHEMA_DIR);
      expect(schema.errors).toEqual([]);
      expect(schema.valid).toBe(true);

      const version = await api.http().get('/v1/policies/messageries/versions/1').set(as('auditor'));
      expect(version.body.artifacts.signedIosProfileSha256).toBe(sha256(res.body as Buffer));
      expect(version.body.artifacts.iosProfileSha256).toBe(sha256(content));
    });

    it('publishes an Android policy that passes the discovery-document validation', async () => {
      const res = await api
        .http()
        .get('/v1/policies/messageries/versions/1/android-policy.json')
        .set(as('auditor'))
        .buffer(true)
        .parse(binary);
      const policy = JSON.parse((res.body as Buffer).toString('utf8'));
      expect(
        validateAgainstDiscovery(policy, 'Policy', parseDiscoveryDocument(readDiscoveryDocument())),
      ).toEqual([]);
      const byPackage = Object.fromEntries(
        policy.applications.map((a: { packageName: string; installType: string }) => [
          a.packageName,
          a.installType,
        ]),
      );
      expect(byPackage['com.whatsapp']).toBe('BLOCKED');
      expect(byPackage['org.telegram.messenger']).toBe('BLOCKED');
      expect(byPackage['org.thoughtcrime.securesms']).toBe('BLOCKED');
      expect(byPackage['io.olvid.messenger']).toBe('AVAILABLE');
      expect(byPackage['fr.gouv.tchap.a']).toBe('AVAILABLE');
    });

    it('keeps published versions immutable and diffs the next one', async () => {
      await expect(api.sql(`UPDATE policy_versions SET published_by = 'x'`)).rejects.toThrow(/immutable/);
      const patched = await api
        .http()
        .patch('/v1/policies/messageries')
        .set(as('officer'))
        .send({ blockLists: ['fr-gov-2023-messaging', 'cabinet-extra'] });
      expect(patched.status).toBe(200);
      const v2 = await api.http().post('/v1/policies/messageries/versions').set(as('officer'));
      expect(v2.body.version).toBe(2);
      const diff = await api
        .http()
        .get('/v1/policies/messageries/versions/2/diff?against=1')
        .set(as('auditor'));
      expect(diff.status).toBe(200);
      expect(diff.body.ios.blocked.added).toEqual(
        expect.arrayContaining(['com.zhiliaoapp.musically', 'com.example.ChatApp']),
      );
      expect(diff.body.ios.blocked.removed).toEqual([]);
      expect(diff.body.android.blocked.added).toEqual(
        expect.arrayContaining(['com.example.chat', 'com.ss.android.ugc.trill']),
      );
      const v1 = await api.http().get('/v1/policies/messageries/versions/1').set(as('auditor'));
      expect(v1.body.banSpec.ios.blocked).not.toContain('com.example.ChatApp');
      const audit = await api.http().get('/v1/audit-events?action=policy.publish').set(as('auditor'));
      expect(audit.body.items.map((e: { target: { id: string } }) => e.target.id)).toEqual([
        'messageries@2',
        'messageries@1',
      ]);
    });

    it('refuses a corrupt PKCS#12 or a wrong password and keeps the signing identity', async () => {
      const before = await api.http().get('/v1/apple/signing-identity').set(as('auditor'));
      const corrupt = await api
        .http()
        .put('/v1/apple/signing-identity')
        .set(as('admin'))
        .send({ pkcs12: Buffer.from('not a p12').toString('base64'), password: 'x' });
      expect(corrupt.status).toBe(400);
      expect(corrupt.body.message).toMatch(/PKCS#12|pkcs12/i);
      const noKey = await api
        .http()
        .put('/v1/apple/signing-identity')
        .set(as('admin'))
        .send({ certificate: caPem });
      expect(noKey.status).toBe(400);
      expect(noKey.body.message).toMatch(/privateKey/);
      const after = await api.http().get('/v1/apple/signing-identity').set(as('auditor'));
      expect(after.body.fingerprintSha256).toBe(before.body.fingerprintSha256);
    });

    it('imports a PKCS#12 identity (refusing a wrong password) and signs the next version with it', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'rempart-p12-'));
      try {
        const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
        run(
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-keyout',
          'key.pem',
          '-out',
          'cert.pem',
          '-days',
          '30',
          '-subj',
          '/CN=Ministere Signing/O=Ministere',
          '-addext',
          'keyUsage=critical,digitalSignature',
        );
        run(
          'pkcs12',
          '-export',
          '-inkey',
          'key.pem',
          '-in',
          'cert.pem',
          '-out',
          'id.p12',
          '-passout',
          'pass:right-password',
        );
        const p12 = readFileSync(path.join(dir, 'id.p12')).toString('base64');
        const wrong = await api
          .http()
          .put('/v1/apple/signing-identity')
          .set(as('admin'))
          .send({ pkcs12: p12, password: 'wrong' });
        expect(wrong.status).toBe(400);
        expect(wrong.body.message).toMatch(/password/i);
        expect(
          (
            await api
              .http()
              .put('/v1/apple/signing-identity')
              .set(as('officer'))
              .send({ pkcs12: p12, password: 'right-password' })
          ).status,
        ).toBe(403);
        const ok = await api
          .http()
          .put('/v1/apple/signing-identity')
          .set(as('admin'))
          .send({ pkcs12: p12, password: 'right-password' });
        expect(ok.status).toBe(200);
        expect(ok.body).toMatchObject({ origin: 'imported' });
        expect(ok.body.subject).toMatch(/Ministere Signing/);

        const v3 = await api.http().post('/v1/policies/messageries/versions').set(as('officer'));
        expect(v3.body.version).toBe(3);
        const res = await api
          .http()
          .get('/v1/policies/messageries/versions/3/profile.mobileconfig')
          .set(as('auditor'))
          .buffer(true)
          .parse(binary);
        const newCa = (await api.http().get('/v1/apple/ca-certificate').set(as('auditor'))).text;
        expect(() => opensslCmsVerify(res.body as Buffer, newCa)).not.toThrow();
        expect(() => opensslCmsVerify(res.body as Buffer, caPem)).toThrow();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
