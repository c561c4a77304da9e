import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { ComplianceEvaluator } from '#libs/compliance';
import { startApi, type ApiHarness, type SeededTenant } from '../support/api-harness.js';
import {
  ensureConsoleBuilt,
  launchChromium,
  listen,
  openConsole,
  screenshot,
  seriousAccessibilityViolations,
  type ConsolePage,
} from '../support/browser.js';
import { publishMessagingPolicy, seedDevice, WHATSAPP } from '../compliance/compliance-seed.js';

const TIKTOK = 'com.zhiliaoapp.musically';

/*
 * The officers' console in Debian's chromium against the real api. Until OpenID Connect sign-in is
 * merged the browser carries a bearer token on every request (`extraHTTPHeaders`), which the
 * console's fetch layer cannot tell from a session cookie.
 */
describe('the officers console, in a browser', () => {
  let api: ApiHarness;
  let dinum: SeededTenant;
  let baseURL: string;
  let browser: Browser;

  const as = (role: 'officer' | 'auditor' | 'admin') => ({
    extraHTTPHeaders: { Authorization: `Bearer ${dinum.tokens[role]}` },
  });

  /** The page is done loading, accessible, and its screenshot is saved. */
  async function checkPage(view: ConsolePage, name: string) {
    await view.page.getByText('Chargement…').first().waitFor({ state: 'hidden' });
    await screenshot(view.page, name);
    expect(await seriousAccessibilityViolations(view.page)).toEqual([]);
    expect(view.problems).toEqual([]);
  }

  async function open(role: 'officer' | 'auditor' | 'admin' | null, path: string): Promise<ConsolePage> {
    const view = await openConsole(browser, baseURL, role ? as(role) : {});
    view.page.setDefaultTimeout(30_000);
    await view.page.goto(path);
    return view;
  }

  const heading = (page: Page, name: string | RegExp) =>
    page.getByRole('heading', { level: 1, name }).waitFor();
  /**
   * What a download link gives, fetched with the browser context's credentials. (Chromium sends a
   * download's request without `extraHTTPHeaders`, so with bearer tokens a click would get a 401.)
   */
  async function downloadLink(page: Page, name: string): Promise<string> {
    const href = await page.getByRole('link', { name }).getAttribute('href');
    expect(href).toMatch(/^\/v1\//);
    const response = await page.request.get(href!);
    expect(response.status()).toBe(200);
    expect(await page.getByRole('link', { name }).getAttribute('download')).not.toBeNull();
    return (await response.body()).toString('utf8');
  }

  /** DSFR draws its own box over a visually hidden checkbox: a person clicks the label. */
  const tick = (page: Page, label: string) => page.locator('label', { hasText: label }).first().click();

  beforeAll(async () => {
    ensureConsoleBuilt();
    api = await startApi();
    dinum = await api.seedTenant('dinum');
    // A fleet already under the French messaging ban: two phones in "cabinets" still have WhatsApp.
    await publishMessagingPolicy(api, dinum, 'cabinets');
    await api
      .http()
      .post('/v1/groups')
      .set({ Authorization: `Bearer ${dinum.tokens.officer}` })
      .send({ slug: 'prefectures', name: 'Préfectures' })
      .expect(201);
    await seedDevice(api, dinum, { group: 'cabinets', apps: [WHATSAPP] });
    await seedDevice(api, dinum, { group: 'cabinets', apps: [WHATSAPP] });
    await seedDevice(api, dinum, { group: 'cabinets' });
    await seedDevice(api, dinum, { group: 'prefectures', apps: [TIKTOK] });
    await seedDevice(api, dinum, { group: 'prefectures', supervised: false, apps: [TIKTOK] });
    await api.app.get(ComplianceEvaluator).evaluateInDatabase(dinum.id);
    baseURL = await listen(api.app);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  it('serves the console at / and client routes on reload, never over the API, docs or health', async () => {
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
  });

  it('an officer creates a list and a policy, previews the impact, publishes for later and follows the rollout', async () => {
    const officer = await open('officer', '/');
    const { page } = officer;
    await heading(page, 'Tableau de bord');
    await page.getByText('Conformité des 5 appareils').waitFor();
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
        /La version 1 bloquerait des applications installées sur 2 appareils, dont 1 iPhone non supervisés/,
      )
      .waitFor();
    await checkPage(officer, 'policy-impact');

    await page.getByRole('button', { name: 'Publier' }).first().click();
    const dialog = page.getByRole('dialog');
    await dialog
      .getByText(/Elle prendra effet le .* Elle bloquera des applications installées sur 2 appareils/)
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
    await page.getByRole('button', { name: 'Mettre en pause' }).waitFor();

    await page.getByRole('link', { name: 'Déploiements' }).click();
    await heading(page, 'Déploiements');
    await page.getByRole('link', { name: 'video-courte, version 1' }).waitFor();
    await checkPage(officer, 'rollouts');

    // Version history with both downloads.
    await page.goto('/policies/video-courte');
    await heading(page, 'Vidéo courte interdite');
    const profile = await downloadLink(page, 'Profil iOS v1 (.mobileconfig)');
    // A signed profile: CMS SignedData (DER), which starts with a SEQUENCE.
    expect(profile.length).toBeGreaterThan(1000);
    expect(await page.getByRole('link', { name: 'Politique Android v1 (JSON)' }).getAttribute('href')).toBe(
      '/v1/policies/video-courte/versions/1/android-policy.json',
    );
    await officer.close();
  });

  it('an officer finds a non-compliant phone, opens it and downloads the CSV', async () => {
    const officer = await open('officer', '/');
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

    const csv = await downloadLink(page, 'Exporter en CSV');
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
  });

  it('an officer creates an iPhone enrollment and gets its link; the keyboard alone reaches the pages', async () => {
    const officer = await open('officer', '/enrollments');
    const { page } = officer;
    await heading(page, 'Inscriptions');
    await page.getByLabel('Groupe', { exact: true }).selectOption('prefectures');
    await page.getByRole('button', { name: 'Créer l’inscription' }).click();
    await page.getByRole('heading', { name: 'Inscription créée' }).waitFor();
    expect(await page.getByRole('link', { name: /\/enroll\// }).count()).toBe(1);
    await page.getByRole('cell', { name: 'prefectures' }).waitFor();
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
  });

  it('an auditor sees every page but is offered no change, and the API refuses one anyway', async () => {
    const auditor = await open('auditor', '/policies/video-courte');
    const { page } = auditor;
    await heading(page, 'Vidéo courte interdite');
    expect(await page.getByRole('button', { name: 'Publier' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Modifier' }).count()).toBe(0);
    await checkPage(auditor, 'auditor-policy');
    await page.goto('/policies');
    await heading(page, 'Politiques');
    expect(await page.getByRole('link', { name: 'Nouvelle politique' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Administration' }).count()).toBe(0);
    const status = await page.evaluate(async () => {
      const response = await fetch('/v1/policies/video-courte/versions', { method: 'POST' });
      return response.status;
    });
    expect(status).toBe(403);
    await auditor.close();
  });

  it('an admin sees the administration page', async () => {
    const admin = await open('admin', '/administration');
    await heading(admin.page, 'Administration');
    await admin.page.getByRole('cell', { name: 'auditor@dinum.gouv.fr' }).waitFor();
    await checkPage(admin, 'administration');
    await admin.close();
  });

  it('a stranger gets the sign-in page, with the reason when sign-in failed, in French or English', async () => {
    const stranger = await open(null, '/policies');
    const { page } = stranger;
    await heading(page, 'Connexion');
    const signIn = page.getByRole('link', { name: 'Se connecter' });
    expect(await signIn.getAttribute('href')).toBe('/auth/login?returnTo=%2Fpolicies');
    expect(await page.getByRole('link', { name: 'Politiques' }).count()).toBe(0);
    await checkPage(stranger, 'signin');

    await page.goto('/?signin_error=not_authorized');
    await page.getByText('Votre compte n’est pas autorisé à utiliser cette console.').waitFor();
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByText('Your account is not allowed to use this console.').waitFor();
    expect(await page.evaluate('document.documentElement.lang')).toBe('en');
    await checkPage(stranger, 'signin-error-en');
    await stranger.close();

    const forged = await openConsole(browser, baseURL, {
      extraHTTPHeaders: { Authorization: 'Bearer forged' },
    });
    await forged.page.goto('/');
    await heading(forged.page, 'Connexion');
    await forged.close();
  });
});
