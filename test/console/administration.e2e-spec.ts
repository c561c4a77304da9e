import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ComplianceEvaluator } from '#libs/compliance';
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
import { bearer } from '../support/officer-actions.js';

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
});
