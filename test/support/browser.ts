import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import playwright, { type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { requireTool } from './tools.js';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const SCREENSHOTS = join(process.cwd(), 'test-results', 'screenshots');

/**
 * The console as `npm run build` leaves it (CI builds before testing); a checkout that was never
 * built gets one build here, so that `npm test -- test/console` works on its own.
 */
export function ensureConsoleBuilt(): void {
  if (existsSync(join(process.cwd(), 'dist', 'console', 'index.html'))) return;
  execFileSync('npm', ['run', '--silent', 'build:console'], { stdio: 'inherit' });
}

/** Debian's chromium, driven by playwright-core (no downloaded browser). */
export async function launchChromium(): Promise<Browser> {
  requireTool('chromium');
  return playwright.chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--safebrowsing-disable-download-protection',
    ],
  });
}

/** Listens on loopback (the harness only initialised the app) and returns its base URL. */
export async function listen(app: INestApplication, port = 0): Promise<string> {
  await app.listen(port, '127.0.0.1');
  const address = app.getHttpServer().address() as AddressInfo;
  return `http://127.0.0.1:${address.port}`;
}

export interface ConsolePage {
  page: Page;
  /** Content-Security-Policy violations and page errors seen so far: a test expects none. */
  problems: string[];
  close: () => Promise<void>;
}

export async function openConsole(
  browser: Browser,
  baseURL: string,
  options: BrowserContextOptions = {},
): Promise<ConsolePage> {
  const context = await browser.newContext({
    baseURL,
    locale: 'fr-FR',
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
    ...options,
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/.test(message.text()))
      problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return { page, problems, close: () => context.close() };
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

/**
 * axe-core run in the page (evaluated through the DevTools protocol, so the page's CSP stays as
 * served); returns the serious and critical violations, each as one line.
 */
export async function seriousAccessibilityViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: { run: (context: unknown, options: unknown) => Promise<{ violations: unknown[] }> };
      }
    ).axe;
    const result = await axe.run('html', { resultTypes: ['violations'] });
    return result.violations;
  });
  return (violations as AxeViolation[])
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`,
    );
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
