import { expect } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { startOidcProvider, type OidcTestProvider, type OidcTestUser } from '../fakes/oidc-provider.js';
import { startApi, type ApiHarness } from './api-harness.js';
import {
  ensureConsoleBuilt,
  launchChromium,
  listen,
  openConsole,
  screenshot,
  seriousAccessibilityViolations,
  type ConsolePage,
} from './browser.js';
import { freePort } from './mdm-harness.js';

/** A browser on a loaded machine: generous, since every wait inside polls until it holds. */
export const BROWSER_TEST_TIMEOUT_MS = 240_000;

export interface ConsoleStack {
  api: ApiHarness;
  provider: OidcTestProvider;
  baseURL: string;
  /** Starts listening and launches Debian's chromium: call once the data is seeded. */
  serve: () => Promise<ConsoleBrowser>;
  close: () => Promise<void>;
}

/**
 * The console's api (initialised, not yet listening) signing in through a real OpenID Connect test
 * provider that knows `users`, on a port chosen first: the provider must know the callback.
 */
export async function startConsoleStack(
  users: OidcTestUser[],
  env: Record<string, string> = {},
): Promise<ConsoleStack> {
  ensureConsoleBuilt();
  const port = await freePort();
  const baseURL = `http://127.0.0.1:${port}`;
  const provider = await startOidcProvider({ redirectUris: [`${baseURL}/auth/callback`], users });
  const api = await startApi({
    OIDC_ISSUER_URL: provider.issuer,
    OIDC_CLIENT_ID: provider.clientId,
    OIDC_CLIENT_SECRET: provider.clientSecret,
    OIDC_ROLE_CLAIM: 'rempart_role',
    OIDC_TENANT: 'dinum',
    CONSOLE_PUBLIC_URL: baseURL,
    ...env,
  });
  let browser: Browser | undefined;
  return {
    api,
    provider,
    baseURL,
    serve: async () => {
      await listen(api.app, port);
      browser = await launchChromium();
      return new ConsoleBrowser(browser, baseURL);
    },
    close: async () => {
      await browser?.close();
      await api.close();
      await provider.stop();
    },
  };
}

/** People using the console in their own browsers, signing in at the test provider's form. */
export class ConsoleBrowser {
  constructor(
    readonly browser: Browser,
    readonly baseURL: string,
  ) {}

  /** A new browser at `path`: signed in as `email` (the sign-in page's button), or not at all. */
  async open(email: string | null, path: string): Promise<ConsolePage> {
    const view = await openConsole(this.browser, this.baseURL);
    view.page.setDefaultTimeout(60_000);
    await view.page.goto(path);
    if (email) {
      await signInAt(view.page, email);
      await view.page.waitForURL(`${this.baseURL}${path}`);
    }
    return view;
  }
}

/** From the console's sign-in page through the provider's login form, as a person does. */
export async function signInAt(page: Page, email: string): Promise<void> {
  await page.getByRole('link', { name: 'Se connecter' }).click();
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Mot de passe (password)').fill('password');
  await page.getByRole('button', { name: 'Se connecter (sign in)' }).click();
}

/** The page is done loading (in either language), accessible, and its screenshot is saved. */
export async function checkPage(view: ConsolePage, name: string): Promise<void> {
  await view.page
    .getByText(/^(Chargement|Loading)…$/)
    .first()
    .waitFor({ state: 'hidden' });
  await screenshot(view.page, name);
  expect(await seriousAccessibilityViolations(view.page)).toEqual([]);
  expect(view.problems).toEqual([]);
}

export const heading = (page: Page, name: string | RegExp) =>
  page.getByRole('heading', { level: 1, name }).waitFor();

/** Runs `click`, answering the browser's confirmation it raises; returns the question asked. */
export async function confirmAfterClick(
  page: Page,
  click: () => Promise<void>,
  accept: boolean,
): Promise<string> {
  const questions: string[] = [];
  page.once('dialog', (dialog) => {
    questions.push(dialog.message());
    void (accept ? dialog.accept() : dialog.dismiss());
  });
  await click();
  expect(questions).toHaveLength(1);
  return questions[0];
}
