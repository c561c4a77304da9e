import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { ComplianceEvaluator } from '#libs/compliance';
import type { ApiHarness, SeededTenant } from '../support/api-harness.js';
import { screenshot, seriousAccessibilityViolations } from '../support/browser.js';
import {
  BROWSER_TEST_TIMEOUT_MS,
  checkPage,
  confirmAfterClick,
  heading,
  signInAt,
  startConsoleStack,
  type ConsoleBrowser,
  type ConsoleStack,
} from '../support/console-browser.js';
import { publishMessagingPolicy, seedDevice, WHATSAPP } from '../compliance/compliance-seed.js';
import { FakeAmapi } from '../fakes/fake-amapi.js';
import { makePushCertificate, pushCertificatePkcs12 } from '../support/push-certificate.js';
import {
  bearer,
  createEnrollment,
  createPolicy,
  publishVersion,
  uploadPushCertificate,
} from '../support/officer-actions.js';

const TIKTOK = 'com.zhiliaoapp.musically';
/*
 * The officers' console in Debian's chromium against the real api, signed in through a real
 * OpenID Connect provider (test/fakes/oidc-provider.ts): session cookie, CSRF header on mutations.
 */
describe('the officers console, in a browser', () => {
  let api: ApiHarness;
  let dinum: SeededTenant;
  let baseURL: string;
  let stack: ConsoleStack;
  let people: ConsoleBrowser;
  const open = (email: string | null, path: string) => people.open(email, path);
  let amapi: FakeAmapi;

  /** Clicks a download link and returns what the browser saved (the session cookie rides along). */
  async function downloadLink(page: Page, name: string): Promise<{ text: string; filename: string }> {
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name }).click();
    const saved = await download;
    expect(await saved.failure()).toBeNull();
    return { text: readFileSync((await saved.path())!, 'utf8'), filename: saved.suggestedFilename() };
  }

  const rolloutState = async (id: string): Promise<string> =>
    (await api.sql(`SELECT state FROM rollouts WHERE id = $1`, [id])).rows[0].state;

  const storedEnrollment = async (id: string): Promise<{ revokedAt: string | null }> =>
    (await api.http().get('/v1/enrollments').set(bearer(dinum, 'auditor')).expect(200)).body.find(
      (enrollment: { id: string }) => enrollment.id === id,
    );

  /** The push certificate's expiry once it is no longer `previous`: the upload went through. */
  async function waitForCertificate(topic: string, previous: string): Promise<string> {
    for (let attempt = 0; attempt < 120; attempt++) {
      const now = await api.http().get('/v1/apple/push-certificate').set(bearer(dinum, 'admin')).expect(200);
      expect(now.body.topic).toBe(topic);
      if (now.body.notAfter !== previous) return now.body.notAfter;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    throw new Error('the push certificate was not renewed');
  }

  /** DSFR draws its own box over a visually hidden checkbox: a person clicks the label. */
  const tick = (page: Page, label: string) => page.locator('label', { hasText: label }).first().click();

  beforeAll(async () => {
    amapi = await FakeAmapi.start();
    stack = await startConsoleStack(
      [
        { email: 'officer@dinum.gouv.fr' },
        { email: 'auditor@dinum.gouv.fr' },
        { email: 'admin@dinum.gouv.fr' },
        // Signs in once, in the sessions test only: the one session of that officer.
        { email: 'agent.session@dinum.gouv.fr', claims: { rempart_role: 'officer' } },
        // Known to the provider, not to Rempart, and no role claim: refused.
        { email: 'inconnu@exemple.fr' },
      ],
      { AMAPI_ROOT_URL: amapi.rootUrl },
    );
    ({ api, baseURL } = stack);
    dinum = await api.seedTenant('dinum');
    // A fleet already under the French messaging ban: two phones in "cabinets" still have WhatsApp.
    await publishMessagingPolicy(api, dinum, 'cabinets');
    // Version 2 adds the recreational list (TikTok...); its rollout started, as the worker would
    // have done (no worker runs here).
    const asOfficer = { Authorization: `Bearer ${dinum.tokens.officer}` };
    await api
      .http()
      .patch('/v1/policies/messageries')
      .set(asOfficer)
      .send({ blockLists: ['fr-gov-2023-messaging', 'fr-gov-2023-recreational'] })
      .expect(200);
    await api.http().post('/v1/policies/messageries/versions').set(asOfficer).expect(201);
    await api.sql(
      `UPDATE rollouts SET state = 'running', started_at = now() WHERE tenant_id = $1 AND state = 'scheduled'`,
      [dinum.id],
    );
    await api
      .http()
      .post('/v1/groups')
      .set({ Authorization: `Bearer ${dinum.tokens.officer}` })
      .send({ slug: 'prefectures', name: 'Préfectures' })
      .expect(201);
    await uploadPushCertificate(api, dinum, makePushCertificate(20));
    // An APNs certificate that expires in 20 days (iPhones can enroll; the dashboard warns), and an
    // Android enterprise bound through the fake Android Management API.
    await api
      .http()
      .put('/v1/android/enterprise')
      .set({ Authorization: `Bearer ${dinum.tokens.admin}` })
      .send({ enterpriseName: amapi.createEnterprise('DINUM'), serviceAccountKey: amapi.serviceAccountKey() })
      .expect(200);
    await seedDevice(api, dinum, { group: 'cabinets', apps: [WHATSAPP] });
    await seedDevice(api, dinum, { group: 'cabinets', apps: [WHATSAPP] });
    await seedDevice(api, dinum, { group: 'cabinets' });
    await seedDevice(api, dinum, { group: 'prefectures', apps: [TIKTOK] });
    await seedDevice(api, dinum, { group: 'prefectures', supervised: false, apps: [TIKTOK] });
    await api.app.get(ComplianceEvaluator).evaluateInDatabase(dinum.id);
    people = await stack.serve();
  }, BROWSER_TEST_TIMEOUT_MS);
  afterAll(async () => {
    await stack?.close();
    await amapi?.stop();
  }, BROWSER_TEST_TIMEOUT_MS);

  it(
    'serves the console at / and client routes on reload, never over the API, docs or health',
    async () => {
      const html = { Accept: 'text/html' };
      const home = await api.http().get('/').set(html).expect(200);
      expect(home.text).toContain('<div id="root">');
      expect(home.headers['content-security-policy']).toContain("script-src 'self'");
      await api.http().get('/policies/messageries').set(html).expect(200).expect('Content-Type', /html/);
      const apiRoute = await api.http().get('/v1/unknown').set(html).expect(404);
      expect(apiRoute.headers['content-type']).toMatch(/json/);
      await api.http().get('/healthz').set(html).expect(200).expect('Content-Type', /json/);
      expect((await api.http().get('/docs/openapi.json').set(html)).text).toContain('Rempart API');
      // An API client that does not ask for HTML keeps its JSON 404.
      await api.http().get('/no-such-page').expect(404).expect('Content-Type', /json/);
    },
    BROWSER_TEST_TIMEOUT_MS,
  );

  it(
    'an officer creates a list and a policy, previews the impact, publishes for later and follows the rollout',
    async () => {
      const officer = await open('officer@dinum.gouv.fr', '/');
      const { page } = officer;
      await heading(page, 'Tableau de bord');
      await page.getByText('Conformité des 5 appareils').waitFor();
      await page.getByText('Entreprise Android DINUM raccordée et joignable.').waitFor();
      await page.getByText(/Le certificat de notification Apple .* expire dans (19|20) jours/).waitFor();
      await checkPage(officer, 'dashboard');

      // A block list of the officer's own: TikTok from the catalog.
      await page.getByRole('link', { name: 'Catalogue et listes' }).click();
      await heading(page, 'Listes d’applications');
      await checkPage(officer, 'lists');
      await page.getByRole('link', { name: 'Nouvelle liste' }).click();
      await heading(page, 'Nouvelle liste');
      await page.getByLabel('Identifiant de la liste').fill('reseaux-video');
      await page.getByLabel('Nom', { exact: true }).fill('Vidéo courte');
      await page.getByLabel('Rechercher une application ou un identifiant').fill('tiktok');
      await tick(page, 'TikTok (tiktok)');
      expect(await page.getByLabel('TikTok (tiktok)').isChecked()).toBe(true);
      await checkPage(officer, 'list-form');
      await page.getByRole('button', { name: 'Créer la liste' }).click();
      await heading(page, 'Listes d’applications');
      await page.getByRole('link', { name: 'Vidéo courte' }).waitFor();

      // Another list imported as YAML (the format of profiles/lists).
      await page
        .getByLabel('Ou collez le YAML')
        .fill(
          [
            'slug: approuvees-suisse',
            'name: Messageries approuvées (Suisse)',
            'kind: allow',
            'apps:',
            '  - threema',
          ].join('\n'),
        );
      await page.getByRole('button', { name: 'Importer', exact: true }).click();
      await page.getByText('Liste approuvees-suisse importée.').waitFor();
      await page.getByRole('link', { name: 'Messageries approuvées (Suisse)' }).waitFor();

      // A policy on "prefectures" with that list, effective in a week.
      await page.getByRole('link', { name: 'Politiques' }).click();
      await heading(page, 'Politiques');
      await checkPage(officer, 'policies');
      await page.getByRole('link', { name: 'Nouvelle politique' }).click();
      await heading(page, 'Nouvelle politique');
      await page.getByLabel('Identifiant de la politique').fill('video-courte');
      await page.getByLabel('Nom', { exact: true }).fill('Vidéo courte interdite');
      await tick(page, 'Préfectures (prefectures)');
      await tick(page, 'Vidéo courte');
      const inAWeek = new Date(Date.now() + 7 * 86_400_000);
      inAWeek.setHours(8, 0, 0, 0);
      const local = new Date(inAWeek.getTime() - inAWeek.getTimezoneOffset() * 60_000)
        .toISOString()
        .slice(0, 16);
      await page.getByLabel('Date d’effet').fill(local);
      await checkPage(officer, 'policy-form');
      await page.getByRole('button', { name: 'Créer la politique' }).click();
      await heading(page, 'Vidéo courte interdite');

      await page.getByRole('button', { name: 'Prévisualiser l’impact' }).click();
      await page
        .getByText(
          /La version 1 bloquerait des applications installées sur 2 appareils, dont 1 iPhone non supervisé \(Apple/,
        )
        .waitFor();
      await checkPage(officer, 'policy-impact');

      await page.getByRole('button', { name: 'Publier' }).first().click();
      const dialog = page.getByRole('dialog');
      await dialog
        .getByText(
          /Elle prendra effet le .* Elle bloquera des applications installées sur 2 appareils \(1 iPhone non supervisé\)\./,
        )
        .waitFor();
      await screenshot(page, 'publish-confirmation');
      expect(await seriousAccessibilityViolations(page)).toEqual([]);
      await dialog.getByRole('button', { name: 'Publier' }).click();

      // The rollout waits for the effective date.
      await page.getByTestId('rollout-state').getByText('Programmé').waitFor();
      await heading(page, 'video-courte, version 1');
      await checkPage(officer, 'rollout');
      const { rows } = await api.sql(
        `SELECT r.state, r.starts_at FROM rollouts r JOIN policy_versions v ON v.id = r.policy_version_id
         JOIN policies p ON p.id = v.policy_id WHERE p.slug = 'video-courte'`,
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].state).toBe('scheduled');
      expect(new Date(rows[0].starts_at).getTime()).toBe(inAWeek.getTime());
      // A scheduled rollout can be cancelled, not paused (the API pauses only running ones).
      await page.getByRole('button', { name: 'Annuler le déploiement' }).waitFor();
      expect(await page.getByRole('button', { name: 'Mettre en pause' }).count()).toBe(0);

      await page.getByRole('link', { name: 'Déploiements' }).click();
      await heading(page, 'Déploiements');
      await page.getByRole('link', { name: 'video-courte, version 1' }).waitFor();
      await checkPage(officer, 'rollouts');

      // The messaging ban already running on "cabinets": pause it, then resume it.
      await page.getByRole('link', { name: 'messageries, version 2' }).click();
      await page.getByTestId('rollout-state').getByText('En cours').waitFor();
      await page.getByRole('button', { name: 'Mettre en pause' }).click();
      await page.getByTestId('rollout-state').getByText('En pause').waitFor();
      await page.getByRole('button', { name: 'Reprendre' }).click();
      await page.getByTestId('rollout-state').getByText('En cours').waitFor();

      // Version history with both downloads.
      await page.goto('/policies/video-courte');
      await heading(page, 'Vidéo courte interdite');
      const profile = await downloadLink(page, 'Profil iOS v1 (.mobileconfig)');
      expect(profile.filename).toBe('video-courte-v1.mobileconfig');
      // A signed profile (CMS SignedData) carrying the payload that blocks TikTok.
      expect(profile.text).toContain('com.zhiliaoapp.musically');
      expect(await page.getByRole('link', { name: 'Politique Android v1 (JSON)' }).getAttribute('href')).toBe(
        '/v1/policies/video-courte/versions/1/android-policy.json',
      );
      await officer.close();
    },
    BROWSER_TEST_TIMEOUT_MS,
  );

  it(
    'an officer finds a non-compliant phone, opens it and downloads the CSV',
    async () => {
      const officer = await open('officer@dinum.gouv.fr', '/');
      const { page } = officer;
      await heading(page, 'Tableau de bord');
      await page.getByRole('link', { name: 'Appareils' }).click();
      await heading(page, 'Appareils');
      await page.getByLabel('Conformité').selectOption('non_compliant');
      await page.getByLabel('Groupe', { exact: true }).selectOption('cabinets');
      await page.getByRole('button', { name: 'Filtrer' }).click();
      await page.waitForURL(/status=non_compliant/);
      const expected = await api
        .http()
        .get('/v1/compliance/devices?status=non_compliant&group=cabinets')
        .set({ Authorization: `Bearer ${dinum.tokens.auditor}` })
        .expect(200);
      expect(expected.body.length).toBeGreaterThanOrEqual(2);
      const rows = page.locator('tbody tr');
      await rows.first().waitFor();
      expect(await rows.count()).toBe(expected.body.length);
      expect(await page.locator('tbody').getByText('Non conforme').count()).toBe(expected.body.length);
      await checkPage(officer, 'devices');

      const { text: csv } = await downloadLink(page, 'Exporter en CSV');
      expect(csv.split('\n')[0]).toContain('udid');
      expect(csv).toContain('non_compliant');

      await rows
        .filter({ hasText: 'application interdite installée : WhatsApp' })
        .first()
        .getByRole('link')
        .click();
      await page.getByRole('heading', { level: 2, name: 'Applications installées' }).waitFor();
      await page.getByText(WHATSAPP).waitFor();
      await checkPage(officer, 'device');
      await officer.close();
    },
    BROWSER_TEST_TIMEOUT_MS,
  );

  it(
    'an officer creates enrollments: a link for iPhones, a QR code on screen for Android; the keyboard alone reaches the pages',
    async () => {
      const officer = await open('officer@dinum.gouv.fr', '/enrollments');
      const { page } = officer;
      await heading(page, 'Inscriptions');
      await page.getByLabel('Groupe', { exact: true }).selectOption('prefectures');
      await page.getByRole('button', { name: 'Créer l’inscription' }).click();
      await page.getByRole('heading', { name: 'Inscription créée' }).waitFor();
      expect(await page.getByRole('link', { name: /\/enroll\// }).count()).toBe(1);
      await page.getByRole('cell', { name: 'prefectures' }).first().waitFor();
      // Android: the QR code a factory-reset phone scans, drawn in the page.
      await tick(page, 'Android');
      await page.getByRole('button', { name: 'Créer l’inscription' }).click();
      const qr = page.getByRole('img', { name: 'Code QR d’inscription Android pour le groupe prefectures' });
      await qr.waitFor();
      expect(await qr.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
      await checkPage(officer, 'enrollments');
      // Keyboard: on a fresh page the skip link is the first stop.
      await page.goto('/audit');
      await heading(page, 'Journal d’audit');
      await page.keyboard.press('Tab');
      await expect(page.evaluate('document.activeElement?.textContent')).resolves.toBe('Contenu');
      await page.getByRole('button', { name: 'Vérifier la chaîne' }).focus();
      await page.keyboard.press('Enter');
      await page.getByText(/Chaîne intacte : \d+ événements vérifiés/).waitFor();
      await checkPage(officer, 'audit');
      await officer.close();
    },
    BROWSER_TEST_TIMEOUT_MS,
  );

  it(
    'an auditor sees every page but is offered no change, and the API refuses one anyway',
    async () => {
      const auditor = await open('auditor@dinum.gouv.fr', '/policies/video-courte');
      const { page } = auditor;
      await heading(page, 'Vidéo courte interdite');
      expect(await page.getByRole('button', { name: 'Publier' }).count()).toBe(0);
      expect(await page.getByRole('link', { name: 'Modifier' }).count()).toBe(0);
      await checkPage(auditor, 'auditor-policy');
      await page.goto('/policies');
      await heading(page, 'Politiques');
      expect(await page.getByRole('link', { name: 'Nouvelle politique' }).count()).toBe(0);
      // Version history: what version 2 changed since version 1.
      await page.getByRole('link', { name: 'messageries', exact: true }).click();
      await page.getByRole('heading', { level: 2, name: 'Historique des versions' }).waitFor();
      await page.getByText('ajoutée : com.zhiliaoapp.musically').first().waitFor();
      await checkPage(auditor, 'auditor-policy-versions');
      expect(await page.getByRole('link', { name: 'Administration' }).count()).toBe(0);
      // With the session's CSRF token, as the console would send it: the role is what the API refuses.
      const refusal = await page.evaluate(`(async () => {
      const csrf = document.cookie.split('; ').find((c) => c.startsWith('rempart_csrf=')).split('=')[1];
      const response = await fetch('/v1/policies/video-courte/versions', { method: 'POST', headers: { 'X-CSRF-Token': csrf } });
      return { status: response.status, code: (await response.json()).code };
    })()`);
      expect(refusal).toEqual({ status: 403, code: 'ROLE_INSUFFICIENT' });
      await auditor.close();
    },
    BROWSER_TEST_TIMEOUT_MS,
  );

  it(
    'an officer edits a list: removes an app, adds another, saves and sees the change',
    async () => {
      await api
        .http()
        .post('/v1/app-lists')
        .set(bearer(dinum, 'officer'))
        .send({ slug: 'reseaux-photo', name: 'Réseaux photo', kind: 'block', apps: ['instagram', 'threads'] })
        .expect(201);
      const officer = await open('officer@dinum.gouv.fr', '/lists');
      const { page } = officer;
      await heading(page, 'Listes d’applications');
      const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'Réseaux photo' }) });
      await row.getByRole('cell', { name: '2', exact: true }).waitFor();
      await row.getByRole('link', { name: 'Réseaux photo' }).click();
      await heading(page, 'Réseaux photo');
      await page.getByText('Applications du catalogue (2 choisies)').first().waitFor();
      expect(await page.getByLabel('Instagram (instagram)').isChecked()).toBe(true);
      // Threads leaves the list, Snapchat joins it.
      await tick(page, 'Threads (threads)');
      expect(await page.getByLabel('Threads (threads)').isChecked()).toBe(false);
      await page.getByLabel('Rechercher une application ou un identifiant').fill('snap');
      await tick(page, 'Snapchat (snapchat)');
      expect(await page.getByLabel('Snapchat (snapchat)').isChecked()).toBe(true);
      await page.getByLabel('Nom', { exact: true }).fill('Réseaux photo et stories');
      await checkPage(officer, 'list-edit');
      await page.getByRole('button', { name: 'Enregistrer' }).click();

      await heading(page, 'Listes d’applications');
      const saved = page
        .getByRole('row')
        .filter({ has: page.getByRole('link', { name: 'Réseaux photo et stories' }) });
      await saved.getByRole('cell', { name: '2', exact: true }).waitFor();
      await saved.getByRole('link', { name: 'Réseaux photo et stories' }).click();
      await heading(page, 'Réseaux photo et stories');
      await page.getByLabel('Snapchat (snapchat)').waitFor();
      expect(await page.getByLabel('Snapchat (snapchat)').isChecked()).toBe(true);
      expect(await page.getByLabel('Instagram (instagram)').isChecked()).toBe(true);
      expect(await page.getByLabel('Threads (threads)').isChecked()).toBe(false);
      await checkPage(officer, 'list-edited');
      const list = await api
        .http()
        .get('/v1/app-lists/reseaux-photo')
        .set(bearer(dinum, 'auditor'))
        .expect(200);
      expect([...list.body.apps].sort()).toEqual(['instagram', 'snapchat']);
      await officer.close();
    },
    BROWSER_TEST_TIMEOUT_MS,
  );

  it(
    'an officer cancels a rollout only once the confirmation is accepted, and sees it cancelled',
    async () => {
      await createPolicy(api, dinum, {
        slug: 'jeux',
        name: 'Jeux',
        groups: ['prefectures'],
        blockLists: ['fr-gov-2023-recreational'],
      });
      const { rolloutId } = await publishVersion(api, dinum, 'jeux');
      const officer = await open('officer@dinum.gouv.fr', `/rollouts/${rolloutId}`);
      const { page } = officer;
      await heading(page, 'jeux, version 1');
      await page.getByTestId('rollout-state').getByText('Programmé').waitFor();
      await checkPage(officer, 'rollout-before-cancel');

      // Having second thoughts: the confirmation is dismissed and nothing changes.
      const cancel = () => page.getByRole('button', { name: 'Annuler le déploiement' }).click();
      expect(await confirmAfterClick(page, cancel, false)).toBe(
        'Annuler ce déploiement ? Les téléphones qui ne l’ont pas reçu ne le recevront pas.',
      );
      await page.getByTestId('rollout-state').getByText('Programmé').waitFor();
      expect(await rolloutState(rolloutId)).toBe('scheduled');

      await confirmAfterClick(page, cancel, true);
      await page.getByTestId('rollout-state').getByText('Annulé').waitFor();
      // Nothing left to steer.
      expect(await page.getByRole('button', { name: 'Annuler le déploiement' }).count()).toBe(0);
      expect(await rolloutState(rolloutId)).toBe('cancelled');
      await checkPage(officer, 'rollout-cancelled');
      await officer.close();
    },
    BROWSER_TEST_TIMEOUT_MS,
  );

  it(
    'an officer revokes an enrollment only once the confirmation is accepted, and sees it revoked',
    async () => {
      const enrollment = await createEnrollment(api, dinum, { group: 'cabinets', platform: 'ios' });
      const officer = await open('officer@dinum.gouv.fr', '/enrollments');
      const { page } = officer;
      await heading(page, 'Inscriptions');
      const row = page.getByRole('row').filter({ has: page.getByRole('cell', { name: 'cabinets' }) });
      await row.getByRole('cell', { name: 'Active' }).waitFor();
      expect(await row.count()).toBe(1);

      const revoke = () => row.getByRole('button', { name: 'Révoquer' }).click();
      expect(await confirmAfterClick(page, revoke, false)).toBe(
        'Révoquer cette inscription (cabinets) ? Plus aucun téléphone ne pourra l’utiliser.',
      );
      await row.getByRole('cell', { name: 'Active' }).waitFor();
      expect((await storedEnrollment(enrollment.id)).revokedAt).toBeNull();

      await confirmAfterClick(page, revoke, true);
      await row.getByRole('cell', { name: /^Révoquée le / }).waitFor();
      expect(await row.getByRole('button', { name: 'Révoquer' }).count()).toBe(0);
      await checkPage(officer, 'enrollment-revoked');
      expect((await storedEnrollment(enrollment.id)).revokedAt).toEqual(expect.any(String));
      await officer.close();
    },
    BROWSER_TEST_TIMEOUT_MS,
  );

  it(
    'an admin adds an auditor and issues a token shown once, renews the push certificate from a .p12 and binds the Android enterprise',
    async () => {
      const admin = await open('admin@dinum.gouv.fr', '/administration');
      const { page } = admin;
      await heading(page, 'Administration');
      // Officers signed in earlier are also in the sessions table below: look in the officers' one.
      const officersTable = page.getByRole('region', { name: 'Agents et rôles' });
      await officersTable.getByRole('cell', { name: 'auditor@dinum.gouv.fr' }).waitFor();
      await checkPage(admin, 'administration');

      // A new auditor, then a token for scripts, shown once.
      const officers = page.getByRole('form', { name: 'Ajouter l’agent' });
      await officers.getByLabel('Adresse électronique').fill('controle@dinum.gouv.fr');
      await officers.getByLabel('Rôle').selectOption('auditor');
      await officers.getByRole('button', { name: 'Ajouter l’agent' }).click();
      const row = officersTable
        .getByRole('row')
        .filter({ has: page.getByRole('cell', { name: 'controle@dinum.gouv.fr' }) });
      await row.getByRole('cell', { name: 'auditeur', exact: true }).waitFor();
      await row.getByRole('button', { name: 'Émettre un jeton' }).click();
      const once = page.getByText(/^Nouveau jeton, affiché une seule fois : /);
      await once.waitFor();
      const token = (await once.textContent())!
        .replace(/^Nouveau jeton, affiché une seule fois : /, '')
        .trim();
      await row.getByText(/^console \(expire le /).waitFor();
      await checkPage(admin, 'administration-token');
      const me = await api
        .http()
        .get('/v1/me')
        .set({ Authorization: `Bearer ${token}` })
        .expect(200);
      expect(me.body).toMatchObject({ email: 'controle@dinum.gouv.fr', role: 'auditor' });
      await page.reload();
      await row.getByText(/^console \(expire le /).waitFor();
      expect(await page.getByText(token).count()).toBe(0);

      // The push certificate renewed for a year, same topic, as the .p12 Keychain Access exports.
      const current = await api
        .http()
        .get('/v1/apple/push-certificate')
        .set(bearer(dinum, 'admin'))
        .expect(200);
      const topic: string = current.body.topic;
      const push = page.getByRole('form', { name: 'Déposer le certificat' });
      await push.getByLabel('Fichier .p12').setInputFiles({
        name: 'MDM_push.p12',
        mimeType: 'application/x-pkcs12',
        buffer: pushCertificatePkcs12(makePushCertificate(365, topic), 'mot de passe'),
      });
      await push.getByLabel('Mot de passe du fichier').fill('mot de passe');
      await push.getByRole('button', { name: 'Déposer le certificat' }).click();
      const renewed = await waitForCertificate(topic, current.body.notAfter);
      await page
        .getByText(
          `Certificat actuel : ${topic}, valide jusqu’au ${new Date(renewed).toLocaleDateString('fr-FR', { dateStyle: 'medium' })}.`,
        )
        .waitFor();
      expect(await push.getByLabel('Mot de passe du fichier').inputValue()).toBe('');

      // The Android enterprise bound again with a new key; a key that is not JSON is named as such.
      const enterprise = await api
        .http()
        .get('/v1/android/enterprise')
        .set(bearer(dinum, 'admin'))
        .expect(200);
      const android = page.getByRole('form', { name: 'Raccorder l’entreprise' });
      await android.getByLabel('Nom de l’entreprise').fill(enterprise.body.enterpriseName);
      await android.getByLabel('Clé du compte de service (JSON)').fill('pas du JSON');
      await android.getByRole('button', { name: 'Raccorder l’entreprise' }).click();
      await android.getByText('La clé du compte de service doit être un document JSON.').waitFor();
      await android
        .getByLabel('Clé du compte de service (JSON)')
        .fill(JSON.stringify(amapi.serviceAccountKey()));
      await android.getByRole('button', { name: 'Raccorder l’entreprise' }).click();
      await page
        .getByText(`Entreprise raccordée : ${enterprise.body.enterpriseName}. Elle répond.`)
        .waitFor();
      // The message goes once the API has accepted the binding.
      await android
        .getByText('La clé du compte de service doit être un document JSON.')
        .waitFor({ state: 'hidden' });
      // Nor does the private key stay on screen.
      expect(await android.getByLabel('Clé du compte de service (JSON)').inputValue()).toBe('');
      await checkPage(admin, 'administration-after');
      await admin.close();
    },
    BROWSER_TEST_TIMEOUT_MS,
  );

  it(
    'an admin sees who is signed in, and ends another officer’s session only once the confirmation is accepted',
    async () => {
      const agent = await open('agent.session@dinum.gouv.fr', '/');
      await heading(agent.page, 'Tableau de bord');
      const admin = await open('admin@dinum.gouv.fr', '/administration');
      const { page } = admin;
      await heading(page, 'Administration');
      const sessions = page.getByRole('region', { name: 'Sessions de la console' });
      const row = sessions
        .getByRole('row')
        .filter({ has: page.getByRole('cell', { name: 'agent.session@dinum.gouv.fr' }) });
      await row.getByRole('cell', { name: 'officier', exact: true }).waitFor();
      expect(await row.count()).toBe(1);
      // The admin's own session is marked, and offers no revoke button (signing out does that).
      const own = sessions.getByRole('row').filter({ hasText: 'Votre session' });
      expect(await own.count()).toBe(1);
      expect(await own.getByRole('cell', { name: /^admin@dinum\.gouv\.fr/ }).count()).toBe(1);
      expect(await own.getByRole('button').count()).toBe(0);
      await checkPage(admin, 'administration-sessions');

      // Having second thoughts: the confirmation is dismissed and the session lives on.
      const revoke = () => row.getByRole('button', { name: 'Révoquer' }).click();
      expect(await confirmAfterClick(page, revoke, false)).toBe(
        'Révoquer la session de agent.session@dinum.gouv.fr ? Son navigateur sera déconnecté à sa prochaine demande.',
      );
      expect(await agent.page.request.get('/v1/me').then((r) => r.status())).toBe(200);
      expect(await row.count()).toBe(1);

      await confirmAfterClick(page, revoke, true);
      await row.waitFor({ state: 'detached' });
      const me = await agent.page.request.get('/v1/me');
      expect(me.status()).toBe(401);
      expect(((await me.json()) as { code: string }).code).toBe('SESSION_UNKNOWN');
      await agent.page.reload();
      await heading(agent.page, 'Connexion');
      await checkPage(admin, 'administration-session-revoked');
      await agent.close();
      await admin.close();
    },
    BROWSER_TEST_TIMEOUT_MS,
  );

  it(
    'a stranger gets the sign-in page, and is refused with a clear message in French or English',
    async () => {
      const stranger = await open(null, '/policies');
      const { page } = stranger;
      await heading(page, 'Connexion');
      expect(await page.getByRole('link', { name: 'Se connecter' }).getAttribute('href')).toBe(
        '/auth/login?returnTo=%2Fpolicies',
      );
      expect(await page.getByRole('link', { name: 'Politiques' }).count()).toBe(0);
      await checkPage(stranger, 'signin');

      await signInAt(page, 'inconnu@exemple.fr');
      await page.waitForURL(/signin_error=not_authorized/);
      await page.getByText('Votre compte n’est pas autorisé à utiliser cette console.').waitFor();
      await page.getByRole('button', { name: 'English' }).click();
      await page.getByText('Your account is not allowed to use this console.').waitFor();
      expect(await page.evaluate('document.documentElement.lang')).toBe('en');
      await checkPage(stranger, 'signin-refused-en');
      expect(await page.request.get('/v1/me').then((r) => r.status())).toBe(401);
      await stranger.close();
    },
    BROWSER_TEST_TIMEOUT_MS,
  );

  it(
    'an officer signs out and is back on the sign-in page, the session gone',
    async () => {
      const officer = await open('officer@dinum.gouv.fr', '/');
      const { page } = officer;
      await heading(page, 'Tableau de bord');
      await page.getByRole('button', { name: 'Se déconnecter' }).click();
      // The console session is gone at once; the browser then passes by the provider, which ends
      // its own session and sends it back.
      await page.waitForURL((url) => url.origin === baseURL && url.searchParams.has('state'));
      await heading(page, 'Connexion');
      expect(await page.request.get('/v1/me').then((r) => r.status())).toBe(401);
      await officer.close();
    },
    BROWSER_TEST_TIMEOUT_MS,
  );
});
