import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ComplianceEvaluator } from '#libs/compliance';
import { RolloutFanOutService } from '#libs/rollouts';
import type { Page } from 'playwright-core';
import type { ApiHarness, SeededTenant } from '../support/api-harness.js';
import {
  BROWSER_TEST_TIMEOUT_MS,
  checkPage,
  confirmAfterClick,
  heading,
  startConsoleStack,
  type ConsoleBrowser,
  type ConsoleStack,
} from '../support/console-browser.js';
import { publishMessagingPolicy, seedDevice, WHATSAPP } from '../compliance/compliance-seed.js';
import {
  bearer,
  createEnrollment,
  createGroup,
  createPolicy,
  publishVersion,
  uploadPushCertificate,
} from '../support/officer-actions.js';

/*
 * The console's Administration page beyond what console.e2e-spec.ts does there (webhooks,
 * disabling an officer, revoking a token, each checked against the API afterwards), and the
 * console in English past the sign-in page. Debian's chromium against the real api, signed in
 * through a real OpenID Connect provider (test/fakes/oidc-provider.ts).
 */
describe('the console administration page and the console in English, in a browser', () => {
  let api: ApiHarness;
  let dinum: SeededTenant;
  let stack: ConsoleStack;
  let people: ConsoleBrowser;
  const open = (email: string, path: string) => people.open(email, path);

  /** What the API answers a request authenticated by `token` alone. */
  async function withToken(token: string): Promise<{ status: number; code: string | undefined }> {
    const answer = await api
      .http()
      .get('/v1/me')
      .set({ Authorization: `Bearer ${token}` });
    return { status: answer.status, code: answer.status === 200 ? undefined : answer.body.code };
  }

  /** The `<dd>` that follows the `<dt>` reading exactly `term`. */
  const definition = (page: Page, term: string) =>
    page
      .locator('dt')
      .filter({ hasText: new RegExp(`^${term}$`) })
      .locator('xpath=following-sibling::dd[1]');
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

  const webhooks = async (): Promise<Array<{ id: string; url: string; description: string | null }>> =>
    (await api.http().get('/v1/webhooks').set(bearer(dinum, 'admin')).expect(200)).body;

  /** An officer made by the admin through the API, with a token for scripts. */
  async function officerWithToken(email: string, role: string, label: string) {
    const officer = await api
      .http()
      .post('/v1/officers')
      .set(bearer(dinum, 'admin'))
      .send({ email, role })
      .expect(201);
    return { id: officer.body.id as string, token: await issueToken(officer.body.id, label) };
  }

  async function issueToken(officerId: string, label: string): Promise<string> {
    const issued = await api
      .http()
      .post(`/v1/officers/${officerId}/tokens`)
      .set(bearer(dinum, 'admin'))
      .send({ label })
      .expect(201);
    return issued.body.token as string;
  }

  beforeAll(async () => {
    stack = await startConsoleStack([{ email: 'admin@dinum.gouv.fr' }, { email: 'partant@dinum.gouv.fr' }]);
    ({ api } = stack);
    dinum = await api.seedTenant('dinum');
    // Under the French messaging ban: two phones still with WhatsApp, one not enrolled yet.
    await publishMessagingPolicy(api, dinum, 'cabinets');
    await seedDevice(api, dinum, { group: 'cabinets', apps: [WHATSAPP] });
    await seedDevice(api, dinum, { group: 'cabinets', apps: [WHATSAPP] });
    await seedDevice(api, dinum, {
      group: 'cabinets',
      status: 'pending',
      apps: null,
      lastSeenHoursAgo: null,
    });
    await api.app.get(ComplianceEvaluator).evaluateInDatabase(dinum.id);
    people = await stack.serve();
  }, BROWSER_TEST_TIMEOUT_MS);
  afterAll(() => stack?.close(), BROWSER_TEST_TIMEOUT_MS);

  it(
    'an admin adds a webhook, sees it listed with its secret shown once, and deletes it only once the confirmation is accepted',
    async () => {
      const admin = await open('admin@dinum.gouv.fr', '/administration');
      const { page } = admin;
      await heading(page, 'Administration');
      const section = page.getByRole('region', { name: 'Webhooks de conformité' });
      const form = page.getByRole('form', { name: 'Ajouter le webhook' });
      await form.getByLabel('URL').fill('https://siem.example.gouv.fr/rempart');
      await form.getByLabel('Description').fill('SIEM du ministère');
      await form.getByRole('button', { name: 'Ajouter le webhook' }).click();

      const once = section.getByText(/^Secret de signature, affiché une seule fois : /);
      await once.waitFor();
      expect(await once.textContent()).toMatch(/: whsec_[A-Za-z0-9_-]{43}$/);
      const hook = section
        .getByRole('listitem')
        .filter({ has: page.locator('code', { hasText: 'https://siem.example.gouv.fr/rempart' }) });
      await hook.getByText('device.compliant, device.non_compliant SIEM du ministère').waitFor();
      const stored = await webhooks();
      expect(stored).toEqual([
        expect.objectContaining({
          url: 'https://siem.example.gouv.fr/rempart',
          description: 'SIEM du ministère',
        }),
      ]);
      // The form is ready for the next webhook.
      expect(await form.getByLabel('URL').inputValue()).toBe('');
      expect(await form.getByLabel('Description').inputValue()).toBe('');
      await checkPage(admin, 'administration-webhook');

      // Second thoughts: the confirmation is dismissed and the webhook stays.
      const question = await confirmAfterClick(
        page,
        () => hook.getByRole('button', { name: 'Supprimer' }).click(),
        false,
      );
      expect(question).toBe('Supprimer le webhook https://siem.example.gouv.fr/rempart ?');
      await hook.waitFor();
      expect(await webhooks()).toHaveLength(1);

      await confirmAfterClick(page, () => hook.getByRole('button', { name: 'Supprimer' }).click(), true);
      await hook.waitFor({ state: 'detached' });
      expect(await webhooks()).toEqual([]);
      // Deleted, not forgotten: its delivery log stays readable.
      await api.http().get(`/v1/webhooks/${stored[0].id}/deliveries`).set(bearer(dinum, 'admin')).expect(200);
      await checkPage(admin, 'administration-webhook-deleted');
      await admin.close();
    },
    BROWSER_TEST_TIMEOUT_MS,
  );

  it(
    'an admin revokes an API token only once the confirmation is accepted; a request with it then gets 401 TOKEN_REVOKED',
    async () => {
      const token = await issueToken(dinum.officerIds.auditor, 'script-audit');
      expect(await withToken(token)).toEqual({ status: 200, code: undefined });
      const admin = await open('admin@dinum.gouv.fr', '/administration');
      const { page } = admin;
      await heading(page, 'Administration');
      // The officers' table, not the console sessions' one below it.
      const row = page
        .getByRole('region', { name: 'Agents et rôles' })
        .getByRole('row')
        .filter({ has: page.getByRole('cell', { name: 'auditor@dinum.gouv.fr' }) });
      const item = row.getByRole('listitem').filter({ hasText: 'script-audit' });
      await item.getByText(/^script-audit \(expire le /).waitFor();

      const question = await confirmAfterClick(
        page,
        () => item.getByRole('button', { name: 'Révoquer' }).click(),
        false,
      );
      expect(question).toBe('Révoquer le jeton script-audit ? Les scripts qui l’utilisent seront refusés.');
      await item.waitFor();
      expect(await withToken(token)).toEqual({ status: 200, code: undefined });

      await confirmAfterClick(page, () => item.getByRole('button', { name: 'Révoquer' }).click(), true);
      await item.waitFor({ state: 'detached' });
      expect(await withToken(token)).toEqual({ status: 401, code: 'TOKEN_REVOKED' });
      // Only that token: the auditor's other token still works.
      expect(await withToken(dinum.tokens.auditor)).toEqual({ status: 200, code: undefined });
      await checkPage(admin, 'administration-token-revoked');
      await admin.close();
    },
    BROWSER_TEST_TIMEOUT_MS,
  );

  it(
    'an admin disables an officer: their token and open console session get 401 OFFICER_DISABLED, and signing in again is refused',
    async () => {
      const partant = await officerWithToken('partant@dinum.gouv.fr', 'officer', 'script-partant');
      // The officer has the console open in a browser of their own.
      const officer = await open('partant@dinum.gouv.fr', '/');
      await heading(officer.page, 'Tableau de bord');

      const admin = await open('admin@dinum.gouv.fr', '/administration');
      const { page } = admin;
      await heading(page, 'Administration');
      // The officers' table: their open console session is also listed in the sessions' one.
      const row = page
        .getByRole('region', { name: 'Agents et rôles' })
        .getByRole('row')
        .filter({ has: page.getByRole('cell', { name: 'partant@dinum.gouv.fr' }) });
      await row.getByRole('cell', { name: 'officier', exact: true }).waitFor();

      const question = await confirmAfterClick(
        page,
        () => row.getByRole('button', { name: 'Désactiver' }).click(),
        false,
      );
      expect(question).toBe(
        'Désactiver partant@dinum.gouv.fr ? Ses sessions et jetons cesseront de fonctionner.',
      );
      await row.getByRole('cell', { name: 'officier', exact: true }).waitFor();
      expect(await withToken(partant.token)).toEqual({ status: 200, code: undefined });
      expect((await officer.page.request.get('/v1/me')).status()).toBe(200);

      await confirmAfterClick(page, () => row.getByRole('button', { name: 'Désactiver' }).click(), true);
      await row.getByRole('cell', { name: 'officier — désactivé', exact: true }).waitFor();
      // Nothing left to do for a disabled officer.
      expect(await row.getByRole('button', { name: 'Désactiver' }).count()).toBe(0);
      expect(await row.getByRole('button', { name: 'Émettre un jeton' }).count()).toBe(0);
      await checkPage(admin, 'administration-officer-disabled');
      await admin.close();
      const officers = await api.http().get('/v1/officers').set(bearer(dinum, 'admin')).expect(200);
      expect(officers.body.find((o: { id: string }) => o.id === partant.id).disabledAt).toEqual(
        expect.any(String),
      );

      // The token for scripts stops working at once...
      expect(await withToken(partant.token)).toEqual({ status: 401, code: 'OFFICER_DISABLED' });
      // ...and so does the console session in the officer's browser.
      const me = await officer.page.request.get('/v1/me');
      expect(me.status()).toBe(401);
      expect((await me.json()).code).toBe('OFFICER_DISABLED');
      await officer.page.getByRole('link', { name: 'Politiques' }).click();
      await heading(officer.page, 'Connexion');
      expect(await officer.page.getByRole('link', { name: 'Politiques' }).count()).toBe(0);
      // The provider still knows them (its session is alive) but Rempart refuses them.
      await officer.page.getByRole('link', { name: 'Se connecter' }).click();
      await officer.page.waitForURL(/signin_error=not_authorized/);
      await officer.page.getByText('Votre compte n’est pas autorisé à utiliser cette console.').waitFor();
      expect((await officer.page.request.get('/v1/me')).status()).toBe(401);
      await checkPage(officer, 'signin-officer-disabled');
      await officer.close();
    },
    BROWSER_TEST_TIMEOUT_MS,
  );

  it(
    'an admin switches the console to English: dashboard, devices, policies and administration speak English, after a reload too',
    async () => {
      const admin = await open('admin@dinum.gouv.fr', '/');
      const { page } = admin;
      await heading(page, 'Tableau de bord');
      await page.getByRole('button', { name: 'English' }).click();

      await heading(page, 'Dashboard');
      expect(await page.evaluate('document.documentElement.lang')).toBe('en');
      await page.getByRole('heading', { level: 2, name: 'Compliance of 3 devices' }).waitFor();
      await page.getByRole('heading', { level: 2, name: 'Last 30 days' }).waitFor();
      await page.getByRole('heading', { level: 2, name: 'Banned apps still installed' }).waitFor();
      await page.getByRole('link', { name: 'Non-compliant' }).waitFor();
      await page.getByText('No Apple push (APNs) certificate uploaded yet.').waitFor();
      await page.getByText('No Android enterprise is bound.').waitFor();
      await page.getByRole('button', { name: 'Français' }).waitFor();
      expect(await page.getByText(/Tableau de bord|Conformité des|Non conforme/).count()).toBe(0);
      await checkPage(admin, 'en-dashboard');

      await page.getByRole('link', { name: 'Devices', exact: true }).click();
      await heading(page, 'Devices');
      expect(await page.title()).toBe('Devices — Rempart');
      // All three phones, each status and reason in English (with English punctuation).
      const rows = page.locator('tbody tr');
      await rows.nth(2).waitFor();
      const cells = page.locator('tbody td');
      await cells.getByText('Unknown', { exact: true }).waitFor();
      await cells.getByText('not enrolled', { exact: true }).waitFor();
      expect(
        await cells.getByText('banned app installed: WhatsApp; profile missing', { exact: true }).count(),
      ).toBe(2);
      await page.getByLabel('Compliance').selectOption('non_compliant');
      await page.getByRole('button', { name: 'Filter', exact: true }).click();
      await page.waitForURL(/status=non_compliant/);
      await page.getByRole('table', { name: 'Devices, page 1' }).waitFor();
      for (const column of ['Device', 'Group', 'Platform', 'Compliance', 'Reasons', 'Last seen'])
        await page.getByRole('columnheader', { name: column, exact: true }).waitFor();
      // The not-enrolled phone leaves the table: the two non-compliant ones stay.
      await rows.nth(2).waitFor({ state: 'detached' });
      await rows.nth(1).waitFor();
      expect(await rows.count()).toBe(2);
      expect(await page.locator('tbody').getByText('Non-compliant', { exact: true }).count()).toBe(2);
      expect(
        await cells.getByText('banned app installed: WhatsApp; profile missing', { exact: true }).count(),
      ).toBe(2);
      await page.getByRole('link', { name: 'Export as CSV' }).waitFor();
      expect(await page.getByText(/Appareils|Non conforme|application interdite|Exporter/).count()).toBe(0);
      await checkPage(admin, 'en-devices');

      await page.getByRole('link', { name: 'Policies', exact: true }).click();
      await heading(page, 'Policies');
      await page.getByRole('link', { name: 'New policy' }).waitFor();
      for (const column of ['Name', 'Groups', 'Lists', 'Latest version', 'Effective date'])
        await page.getByRole('columnheader', { name: column, exact: true }).waitFor();
      const messageries = page
        .getByRole('row')
        .filter({ has: page.getByRole('link', { name: 'messageries' }) });
      await messageries.getByRole('cell', { name: 'on publication', exact: true }).waitFor();
      expect(await page.getByText(/Politiques|Nouvelle politique|dès la publication/).count()).toBe(0);
      await checkPage(admin, 'en-policies');

      // The choice is kept: a reload stays in English.
      await page.reload();
      await heading(page, 'Policies');
      expect(await page.evaluate('document.documentElement.lang')).toBe('en');

      await page.getByRole('link', { name: 'Administration', exact: true }).click();
      await heading(page, 'Administration');
      await page.getByRole('heading', { level: 2, name: 'Officers and roles' }).waitFor();
      await page.getByRole('heading', { level: 2, name: 'Console sessions' }).waitFor();
      await page.getByRole('heading', { level: 2, name: 'Compliance webhooks' }).waitFor();
      await page.getByRole('form', { name: 'Add the officer' }).waitFor();
      const row = page
        .getByRole('region', { name: 'Officers and roles' })
        .getByRole('row')
        .filter({ has: page.getByRole('cell', { name: 'auditor@dinum.gouv.fr' }) });
      await row.getByRole('cell', { name: 'auditor', exact: true }).waitFor();
      await row.getByRole('button', { name: 'Issue a token' }).waitFor();
      expect(
        await page
          .getByText(/Agents et rôles|Émettre un jeton|Ajouter l’agent|Sessions de la console/)
          .count(),
      ).toBe(0);
      await checkPage(admin, 'en-administration');

      // And back to French.
      await page.getByRole('button', { name: 'Français' }).click();
      await page.getByRole('heading', { level: 2, name: 'Agents et rôles' }).waitFor();
      expect(await page.evaluate('document.documentElement.lang')).toBe('fr');
      await admin.close();
    },
    BROWSER_TEST_TIMEOUT_MS,
  );

  it(
    'an admin reads the other pages in English: lists, a list, enrollments, rollouts, a rollout, the audit log, a policy and a device',
    async () => {
      const asOfficer = bearer(dinum, 'officer');
      // A list of the officers' own: editable, unlike the shipped ones.
      await api
        .http()
        .post('/v1/app-lists')
        .set(asOfficer)
        .send({ slug: 'video-courte', name: 'Short video', kind: 'block', apps: ['tiktok', 'facebook'] })
        .expect(201);
      // iPhones can enroll once the push certificate is there: one enrollment in use, one revoked.
      await uploadPushCertificate(api, dinum);
      await createGroup(api, dinum, 'direction', 'Direction');
      await createEnrollment(api, dinum, { group: 'cabinets', platform: 'ios', maxUses: 5 });
      const revoked = await createEnrollment(api, dinum, { group: 'direction', platform: 'ios' });
      await api.http().delete(`/v1/enrollments/${revoked.id}`).set(asOfficer).expect(200);
      // The messaging ban's rollout started (as the worker would have): one phone verified, one
      // pushed and waiting for the phone, so half done.
      const [rollout] = (await api.http().get('/v1/rollouts').set(asOfficer).expect(200)).body;
      expect(await api.app.get(RolloutFanOutService).start(rollout.id)).toEqual(
        expect.objectContaining({ started: true, deliveries: 2 }),
      );
      const deliveries = (
        await api.sql(
          `SELECT x.id, d.udid FROM deliveries x JOIN devices d ON d.id = x.device_id
            WHERE x.rollout_id = $1 ORDER BY x.id`,
          [rollout.id],
        )
      ).rows;
      await api.sql(`UPDATE deliveries SET state = 'verified' WHERE id = $1`, [deliveries[0].id]);
      await api.sql(
        `UPDATE deliveries SET state = 'pushed', reason = 'the phone has not checked in since the push' WHERE id = $1`,
        [deliveries[1].id],
      );
      // A policy with two versions (the second adds the messaging list) for one unsupervised iPhone.
      await createPolicy(api, dinum, {
        slug: 'loisirs',
        name: 'Leisure',
        groups: ['direction'],
        blockLists: ['fr-gov-2023-recreational'],
      });
      await publishVersion(api, dinum, 'loisirs');
      await api
        .http()
        .patch('/v1/policies/loisirs')
        .set(asOfficer)
        .send({ blockLists: ['fr-gov-2023-recreational', 'fr-gov-2023-messaging'] })
        .expect(200);
      await publishVersion(api, dinum, 'loisirs');
      // Not yet published: the officers' own list too, which newly blocks Facebook on that iPhone.
      await api
        .http()
        .patch('/v1/policies/loisirs')
        .set(asOfficer)
        .send({ blockLists: ['fr-gov-2023-recreational', 'fr-gov-2023-messaging', 'video-courte'] })
        .expect(200);
      await seedDevice(api, dinum, {
        group: 'direction',
        supervised: false,
        apps: ['com.zhiliaoapp.musically', 'com.facebook.Facebook'],
      });

      const admin = await open('admin@dinum.gouv.fr', '/');
      const { page } = admin;
      await heading(page, 'Tableau de bord');
      await page.getByRole('button', { name: 'English' }).click();
      await heading(page, 'Dashboard');

      // Catalog and lists.
      await page.getByRole('link', { name: 'Catalog and lists', exact: true }).click();
      await heading(page, 'App lists');
      expect(await page.title()).toBe('App lists — Rempart');
      await page.getByRole('link', { name: 'New list' }).waitFor();
      for (const column of ['Name', 'Kind', 'Apps', 'Used by', 'Export'])
        await page.getByRole('columnheader', { name: column, exact: true }).first().waitFor();
      const messaging = page.getByRole('row').filter({ hasText: 'fr-gov-2023-messaging' }).first();
      await messaging.getByRole('cell', { name: 'Block', exact: true }).waitFor();
      await messaging.getByText('shipped with Rempart', { exact: true }).waitFor();
      await messaging.getByRole('link', { name: 'messageries' }).waitFor();
      await page
        .getByRole('row')
        .filter({ hasText: 'fr-gov-2023-messaging-approved' })
        .getByRole('cell', { name: 'Allow', exact: true })
        .waitFor();
      await page.getByRole('heading', { level: 2, name: 'Import a list (YAML)' }).waitFor();
      await page.getByRole('button', { name: 'Import', exact: true }).waitFor();
      await page.getByRole('heading', { level: 2, name: 'App catalog' }).waitFor();
      await page.getByLabel('Search an app or an identifier').fill('tiktok');
      await page
        .getByRole('status')
        .filter({ hasText: /^1 app$/ })
        .waitFor();
      await page
        .getByText('to verify')
        .or(page.getByText('verified', { exact: true }))
        .first()
        .waitFor();
      expect(
        await page
          .getByText(
            /Listes d’applications|Nouvelle liste|Blocage|Autorisation|Utilisée par|fournie avec|Importer|Catalogue/,
          )
          .count(),
      ).toBe(0);
      await checkPage(admin, 'en-lists');

      // One list of the officers' own.
      await page.getByRole('link', { name: 'Short video', exact: true }).click();
      await heading(page, 'Short video');
      await page.getByLabel('Name', { exact: true }).waitFor();
      expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('Short video');
      await page.getByRole('group', { name: 'Kind' }).waitFor();
      expect(await page.getByLabel('Block', { exact: true }).isChecked()).toBe(true);
      await page.getByText('Catalog apps (2 chosen)', { exact: true }).waitFor();
      await page.getByLabel('iOS bundle IDs outside the catalog').waitFor();
      await page.getByLabel('Android packages outside the catalog').waitFor();
      expect(await page.getByText('One per line', { exact: true }).count()).toBe(2);
      await page.getByRole('button', { name: 'Save', exact: true }).waitFor();
      expect(
        await page
          .getByText(
            /Applications du catalogue|choisies|Identifiants iOS|Paquets Android|Un par ligne|Enregistrer/,
          )
          .count(),
      ).toBe(0);
      await checkPage(admin, 'en-list');

      // Enrollments: an officer creates one in English.
      await page.getByRole('link', { name: 'Enrollments', exact: true }).click();
      await heading(page, 'Enrollments');
      await page.getByRole('heading', { level: 2, name: 'Existing enrollments' }).waitFor();
      for (const column of ['Group', 'Platform', 'Uses', 'Expires', 'State', 'Actions'])
        await page.getByRole('columnheader', { name: column, exact: true }).waitFor();
      const cabinets = page.getByRole('row').filter({ has: page.getByRole('cell', { name: 'cabinets' }) });
      await cabinets.getByRole('cell', { name: '0 / 5', exact: true }).waitFor();
      await cabinets.getByRole('cell', { name: 'Active', exact: true }).waitFor();
      await cabinets.getByRole('button', { name: 'Revoke' }).waitFor();
      await page
        .getByRole('cell', { name: /^Revoked on \d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}$/ })
        .waitFor();
      await page.getByText('New device group', { exact: true }).waitFor();
      const form = page.getByRole('form', { name: 'New enrollment' });
      await form.getByLabel('Group', { exact: true }).selectOption('direction');
      await form.getByText('Leave empty: unlimited until it expires').waitFor();
      await form.getByLabel('Maximum number of devices').fill('3');
      await form.getByRole('button', { name: 'Create the enrollment' }).click();
      await page.getByRole('heading', { level: 2, name: 'Enrollment created' }).waitFor();
      await page.getByText('Open this link on the iPhone to enroll (Safari):', { exact: true }).waitFor();
      await page.getByRole('cell', { name: '0 / 3', exact: true }).waitFor();
      expect(
        await page
          .getByText(
            /Inscriptions|Nouvelle inscription|Utilisations|Expire le|Révoqu|Ouvrez ce lien|Nombre maximal/,
          )
          .count(),
      ).toBe(0);
      await checkPage(admin, 'en-enrollments');

      // Rollouts, and the messaging ban's one: half done, with English percentages.
      await page.getByRole('link', { name: 'Rollouts', exact: true }).click();
      await heading(page, 'Rollouts');
      for (const column of ['Policy', 'State', 'Starts', 'Devices', 'Done'])
        await page.getByRole('columnheader', { name: column, exact: true }).waitFor();
      const running = page
        .getByRole('row')
        .filter({ has: page.getByRole('link', { name: 'messageries, version 1' }) });
      await running.getByRole('cell', { name: 'Running', exact: true }).waitFor();
      await running.getByRole('cell', { name: '50%', exact: true }).waitFor();
      const leisure = page
        .getByRole('row')
        .filter({ has: page.getByRole('link', { name: /^loisirs, version/ }) });
      expect(await leisure.count()).toBe(2);
      expect(await leisure.getByRole('cell', { name: 'Scheduled', exact: true }).count()).toBe(2);
      expect(await page.getByText(/ %$/).count()).toBe(0);
      expect(await page.getByText(/Déploiements|Politique|Début|Terminé|En cours|Programmé/).count()).toBe(0);
      await checkPage(admin, 'en-rollouts');

      await running.getByRole('link', { name: 'messageries, version 1' }).click();
      await heading(page, 'messageries, version 1');
      await page.getByTestId('rollout-state').getByText('Running', { exact: true }).waitFor();
      await page
        .locator('p')
        .filter({ has: page.getByTestId('rollout-state') })
        .filter({ hasText: /^Running Starts: \d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}$/ })
        .waitFor();
      await page.getByText('Progress: 50%', { exact: true }).waitFor();
      expect(await page.getByRole('progressbar', { name: 'Progress: 50%' }).getAttribute('value')).toBe('50');
      for (const [count, state] of [
        ['0', 'Pending'],
        ['1', 'Pushed'],
        ['0', 'Acknowledged'],
        ['1', 'Verified'],
        ['0', 'Failed'],
      ])
        await page
          .locator('.console-count')
          .filter({ hasText: new RegExp(`^${count}${state}$`) })
          .waitFor();
      await page.getByRole('button', { name: 'Pause' }).waitFor();
      await page.getByRole('button', { name: 'Cancel the rollout' }).waitFor();
      await page.getByRole('heading', { level: 2, name: 'Failures and waits, with their reason' }).waitFor();
      for (const column of ['State', 'Reason', 'Devices'])
        await page.getByRole('columnheader', { name: column, exact: true }).waitFor();
      const reason = page.getByRole('row').filter({ hasText: 'the phone has not checked in since the push' });
      await reason.getByRole('cell', { name: 'Pushed', exact: true }).waitFor();
      expect(
        await page
          .getByText(
            /Progression|En cours|Mettre en pause|Annuler le déploiement|Notifiés|Vérifiés|Échecs|Raison|Début/,
          )
          .count(),
      ).toBe(0);
      await checkPage(admin, 'en-rollout');

      // The audit log, and its chain verified.
      await page.getByRole('link', { name: 'Audit log', exact: true }).click();
      await heading(page, 'Audit log');
      for (const column of ['#', 'When', 'Actor', 'Action', 'Target'])
        await page.getByRole('columnheader', { name: column, exact: true }).waitFor();
      const filters = page.getByRole('search', { name: 'Filter the log' });
      for (const label of ['Actor', 'Action', 'From', 'To'])
        await filters.getByLabel(label, { exact: true }).waitFor();
      await filters.getByRole('button', { name: 'Filter', exact: true }).waitFor();
      await page.getByRole('cell', { name: 'policy.create' }).first().waitFor();
      await page.getByRole('button', { name: 'Previous page' }).waitFor();
      await page.getByRole('button', { name: 'Next page' }).waitFor();
      await page.getByRole('button', { name: 'Verify the chain' }).click();
      const intact = page.getByText(/^Chain intact: \d+ events checked\.$/);
      await intact.waitFor();
      const verification = await api
        .http()
        .get('/v1/audit-events/verification')
        .set(bearer(dinum, 'admin'))
        .expect(200);
      expect(verification.body.ok).toBe(true);
      expect(await intact.textContent()).toBe(`Chain intact: ${verification.body.checked} events checked.`);
      expect(
        await page
          .getByText(
            /Journal d’audit|Vérifier la chaîne|Chaîne intacte|Auteur|Filtrer|Page (précédente|suivante)/,
          )
          .count(),
      ).toBe(0);
      await checkPage(admin, 'en-audit');

      // One policy: its settings, the impact of a next version, its versions and their differences.
      await page.getByRole('link', { name: 'Policies', exact: true }).click();
      await heading(page, 'Policies');
      await page.getByRole('link', { name: 'Leisure', exact: true }).click();
      await heading(page, 'Leisure');
      for (const [term, value] of [
        ['Groups', 'direction'],
        ['Block lists', 'fr-gov-2023-recreational, fr-gov-2023-messaging, video-courte'],
        ['Allow lists', '—'],
        ['Mode', 'Block the apps of the block lists'],
        ['Effective date', 'on publication'],
        ['Latest version', '2'],
      ])
        await definition(page, term)
          .filter({ hasText: new RegExp(`^${escape(value)}$`) })
          .waitFor();
      await page.getByRole('link', { name: 'Edit', exact: true }).waitFor();
      await page.getByRole('button', { name: 'Publish', exact: true }).waitFor();
      await page.getByRole('heading', { level: 2, name: 'Impact before publishing' }).waitFor();
      await page.getByRole('button', { name: 'Preview the impact' }).click();
      await page
        .getByText(
          'Version 3 would block installed apps on 1 device, including 1 unsupervised iPhone (Apple does not enforce the block there).',
          { exact: true },
        )
        .waitFor();
      // The confirmation before publishing, with English punctuation and counts.
      await page.getByRole('button', { name: 'Publish', exact: true }).first().click();
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('heading', { name: 'Publish version 3?', exact: true }).waitFor();
      await dialog
        .getByText('It takes effect now. It will block installed apps on 1 device (1 unsupervised iPhone).', {
          exact: true,
        })
        .waitFor();
      await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
      await dialog.waitFor({ state: 'hidden' });
      const byGroup = page.getByRole('table', { name: 'Affected devices per group' });
      await byGroup.getByRole('columnheader', { name: 'Group', exact: true }).waitFor();
      await byGroup
        .getByRole('row')
        .filter({ hasText: 'direction' })
        .getByRole('cell', { name: '1', exact: true })
        .waitFor();
      const byApp = page.getByRole('table', { name: 'Newly blocked apps' });
      for (const column of ['App', 'Platform', 'Devices', 'Unsupervised iPhones'])
        await byApp.getByRole('columnheader', { name: column, exact: true }).waitFor();
      const facebook = byApp.getByRole('row').filter({ hasText: 'com.facebook.Facebook' });
      await facebook.getByRole('cell', { name: 'iOS', exact: true }).waitFor();
      expect(await byApp.getByRole('row').filter({ hasText: 'com.zhiliaoapp.musically' }).count()).toBe(0);
      await page.getByRole('heading', { level: 2, name: 'Version history' }).waitFor();
      const versions = page.getByRole('table', { name: 'Version history' });
      for (const column of ['Version', 'Published', 'Effective date', 'By', 'Downloads'])
        await versions.getByRole('columnheader', { name: column, exact: true }).waitFor();
      await versions.getByRole('link', { name: 'iOS profile v2 (.mobileconfig)' }).waitFor();
      await versions.getByRole('link', { name: 'Android policy v1 (JSON)' }).waitFor();
      await page.getByRole('heading', { level: 3, name: 'Differences between two versions' }).waitFor();
      expect(await page.getByLabel('From version').inputValue()).toBe('1');
      expect(await page.getByLabel('To version').inputValue()).toBe('2');
      await page.getByText('iOS, blocked', { exact: true }).waitFor();
      await page.getByText('Android, blocked', { exact: true }).waitFor();
      await page.getByText('added: net.whatsapp.WhatsApp', { exact: true }).waitFor();
      expect(
        await page
          .getByText(
            /Listes de blocage|Bloquer les|dès la publication|Dernière version|Prévisualiser|bloquerait|appareil|Historique|Téléchargements|Différences|ajoutée|Publier|Modifier/,
          )
          .count(),
      ).toBe(0);
      await checkPage(admin, 'en-policy');

      // One device: a phone under the messaging ban with its InstallProfile command.
      await page.goto(`/devices/${deliveries[0].udid}`);
      await heading(page, deliveries[0].udid);
      for (const [term, value] of [
        ['Compliance', 'Non-compliant'],
        ['Reasons', 'banned app installed: WhatsApp; profile missing'],
        ['Supervised', 'Yes'],
      ])
        await definition(page, term)
          .filter({ hasText: new RegExp(`^${escape(value)}$`) })
          .waitFor();
      for (const term of ['Platform', 'Serial number', 'UDID', 'Enrolled', 'Last seen'])
        await page
          .locator('dt')
          .filter({ hasText: new RegExp(`^${term}$`) })
          .waitFor();
      await page.getByRole('heading', { level: 2, name: 'Installed apps' }).waitFor();
      const inventory = page.getByRole('table', { name: 'Installed apps' });
      for (const column of ['App', 'Identifier', 'Version'])
        await inventory.getByRole('columnheader', { name: column, exact: true }).waitFor();
      await inventory.getByRole('cell', { name: 'net.whatsapp.WhatsApp' }).waitFor();
      await page.getByRole('heading', { level: 2, name: 'Compliance history' }).waitFor();
      const commands = page.getByRole('table', { name: 'Commands sent' });
      for (const column of ['Command', 'Status', 'Queued', 'Completed'])
        await commands.getByRole('columnheader', { name: column, exact: true }).waitFor();
      await commands.getByRole('cell', { name: 'InstallProfile', exact: true }).waitFor();
      expect(
        await page
          .getByText(
            /Conformité|Raisons|Supervisé|Numéro de série|Inscrit le|Dernier contact|Applications installées|Historique|Commandes envoyées|Mise en file|application interdite|profil absent|Non conforme|Oui/,
          )
          .count(),
      ).toBe(0);
      await checkPage(admin, 'en-device');
      await admin.close();
    },
    BROWSER_TEST_TIMEOUT_MS,
  );
});
