/*
 * The console at fleet scale: the answers behind the dashboard and a filtered device-list page with
 * BENCH_DEVICES devices in PostgreSQL, and the JavaScript the first page makes a browser download.
 *
 *   npm run bench:console                      # 100,000 devices
 *   BENCH_DEVICES=20000 npm run bench:console
 *
 * Needs PostgreSQL, Redis and Debian's chromium (for the first page's JavaScript). Creates its own
 * database (dropped at the end unless BENCH_KEEP=1), seeds devices set-based as bench:compliance
 * does, runs the api as a child process, and times each request set as the console sends it (the
 * dashboard's five requests in parallel), median of BENCH_RUNS. The last line is one JSON object.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import pg from 'pg';
import playwright from 'playwright-core';
import { createApiApp } from '../apps/api/src/api-app.js';
import type { Actor } from '#libs/audit';
import { OfficersService, TenantsService } from '#libs/auth';
import { ComplianceEvaluator, ComplianceSnapshotsService } from '#libs/compliance';
import { loadConfig } from '#libs/config';
import { prepareDatabase } from '#libs/persistence';
import { createLogger } from '#libs/platform';
import { PoliciesService } from '#libs/policy';
import { freePort } from '../test/support/mdm-harness.js';
import { scratchDatabase } from './support/scratch-database.js';

const devices = Number(process.env.BENCH_DEVICES ?? '100000');
const RUNS = Number(process.env.BENCH_RUNS ?? '7');
if (!Number.isSafeInteger(devices) || devices <= 0 || !Number.isSafeInteger(RUNS) || RUNS <= 0) {
  console.error('BENCH_DEVICES and BENCH_RUNS must be positive integers');
  process.exit(2);
}
const GROUPS = 20;
const DEVICE_PAGE = 50;

const scratch = scratchDatabase('console');
const log = (message: string) => console.log(message);
const secondsSince = (start: number) => (performance.now() - start) / 1000;

/**
 * As bench:compliance: devices over the groups, 90 % iPhones (80 % of them supervised), 10 %
 * Android; WhatsApp on 1 in 20, Telegram on 1 in 33, Olvid on most; iPhones carry the profile.
 */
async function seed(sql: pg.Pool, tenantId: string, profile: { identifier: string; uuid: string }) {
  await sql.query(
    `INSERT INTO devices (tenant_id, platform, group_id, udid, status, is_supervised, last_seen_at,
                          last_status_report_at, enrolled_at, device_name, serial_number)
     SELECT $1, CASE WHEN i % 10 = 0 THEN 'android' ELSE 'ios' END, g.ids[1 + i % $3], 'bench-' || i, 'enrolled',
            CASE WHEN i % 10 = 0 THEN NULL ELSE i % 5 <> 1 END, now() - (i % 1200) * interval '1 minute',
            CASE WHEN i % 10 = 0 THEN now() END, now() - interval '30 days', 'Téléphone ' || i,
            'SN' || lpad(i::text, 10, '0')
       FROM generate_series(1, $2) AS i,
            (SELECT array_agg(id ORDER BY slug) AS ids FROM device_groups WHERE tenant_id = $1) AS g`,
    [tenantId, devices, GROUPS],
  );
  await sql.query(
    `INSERT INTO device_apps (device_id, identifier, tenant_id, name, version, reported_at)
     SELECT d.id, CASE WHEN d.platform = 'ios' THEN a.ios ELSE a.android END, d.tenant_id, a.name, '1.0', now()
       FROM devices d
       CROSS JOIN LATERAL (VALUES
         ('com.apple.Pages', 'com.google.android.apps.docs', 'Pages', true),
         ('io.olvid.messenger', 'io.olvid.messenger', 'Olvid', (substr(d.udid, 7)::int % 5) <> 3),
         ('net.whatsapp.WhatsApp', 'com.whatsapp', 'WhatsApp', (substr(d.udid, 7)::int % 20) = 3),
         ('ph.telegra.Telegraph', 'org.telegram.messenger', 'Telegram', (substr(d.udid, 7)::int % 33) = 4)
       ) AS a(ios, android, name, present)
      WHERE d.tenant_id = $1 AND a.present`,
    [tenantId],
  );
  await sql.query(
    `INSERT INTO device_profiles (device_id, identifier, tenant_id, uuid, display_name, reported_at)
     SELECT id, $2, tenant_id, $3, 'Messageries', now() FROM devices WHERE tenant_id = $1 AND platform = 'ios'`,
    [tenantId, profile.identifier, profile.uuid],
  );
  await sql.query(
    `INSERT INTO device_compliance (device_id, tenant_id, group_id, platform, apps_reported_at, profiles_reported_at)
     SELECT id, tenant_id, group_id, platform, now() - interval '1 hour',
            CASE WHEN platform = 'ios' THEN now() - interval '1 hour' END
       FROM devices WHERE tenant_id = $1`,
    [tenantId],
  );
}

/** Median wall time of `RUNS` calls of `run`, after one warm-up call. */
async function medianMs(run: () => Promise<void>): Promise<number> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(RUNS / 2)] * 10) / 10;
}

async function waitFor(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} not ready`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Loads the console's first page (the dashboard) in chromium and adds up the gzip size of every
 * JavaScript file it fetched until the page settled: the entry, its imports, the lazy page chunk,
 * the DSFR script and the chart chunk the trend brings in.
 */
async function firstPageJavaScriptKbGz(base: string, token: string): Promise<number> {
  const browser = await playwright.chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const context = await browser.newContext({ extraHTTPHeaders: { Authorization: `Bearer ${token}` } });
    const page = await context.newPage();
    const scripts = new Map<string, Promise<Buffer>>();
    page.on('response', (response) => {
      const type = response.headers()['content-type'] ?? '';
      if (response.url().startsWith(base) && /javascript/.test(type))
        scripts.set(response.url(), response.body());
    });
    await page.goto(`${base}/`, { waitUntil: 'networkidle' });
    await page.getByRole('heading', { level: 2, name: /Évolution/ }).waitFor();
    await page.waitForLoadState('networkidle');
    let bytes = 0;
    for (const [url, body] of scripts) {
      const gz = gzipSync(await body).byteLength;
      log(`  ${url.slice(base.length)}: ${(gz / 1024).toFixed(1)} KB gzipped`);
      bytes += gz;
    }
    return Math.round((bytes / 1024) * 10) / 10;
  } finally {
    await browser.close();
  }
}

async function main() {
  const consoleIndex = fileURLToPath(new URL('../console/index.html', import.meta.url));
  if (!existsSync(consoleIndex)) throw new Error('the console is not built: npm run build');
  await scratch.adminQuery(`CREATE DATABASE "${scratch.name}"`);
  const apiPort = await freePort();
  const env = {
    DATABASE_URL: scratch.url,
    API_PORT: String(apiPort),
    QUEUE_PREFIX: scratch.name,
    LOG_LEVEL: 'warn',
  };
  const config = loadConfig({ ...process.env, ...env });
  await prepareDatabase(scratch.url);
  const app = await createApiApp(config, createLogger('api', 'warn'));
  await app.init();
  const sql = new pg.Pool({ connectionString: scratch.url, max: 2 });
  let child: ChildProcess | undefined;
  try {
    const tenant = await app.get(TenantsService).create('bench', 'Banc d’essai', 'cli:bench');
    const actor: Actor = { tenantId: tenant.id, officerId: null, label: 'cli:bench' };
    const officer = await app.get(OfficersService).create(actor, 'bench@bench.gouv.fr', 'auditor');
    const { secret } = await app.get(OfficersService).issueToken(actor, officer.id);
    await sql.query(
      `INSERT INTO device_groups (tenant_id, slug, name)
       SELECT $1, 'groupe-' || lpad(i::text, 2, '0'), 'Groupe ' || i FROM generate_series(1, $2) AS i`,
      [tenant.id, GROUPS],
    );
    const policies = app.get(PoliciesService);
    await policies.create(actor, {
      slug: 'messageries',
      name: 'Messageries',
      groups: Array.from({ length: GROUPS }, (_, i) => `groupe-${String(i + 1).padStart(2, '0')}`),
      blockLists: ['fr-gov-2023-messaging'],
      allowLists: ['fr-gov-2023-messaging-approved'],
    });
    await policies.publish(actor, 'messageries');
    const { rows } = await sql.query(
      'SELECT profile_identifier, profile_uuid FROM rollouts WHERE tenant_id = $1',
      [tenant.id],
    );
    const start = performance.now();
    await seed(sql, tenant.id, { identifier: rows[0].profile_identifier, uuid: rows[0].profile_uuid });
    // Statistics first, as bench:compliance does: the evaluation's plan depends on them.
    await sql.query('VACUUM ANALYZE devices, device_apps, device_profiles, device_compliance');
    await app.get(ComplianceEvaluator).evaluateInDatabase(tenant.id);
    await app.get(ComplianceSnapshotsService).takeToday(tenant.id);
    // 29 earlier days of snapshots, so that the trend has a full month to draw.
    await sql.query(
      `INSERT INTO compliance_snapshots (tenant_id, day, status, devices)
       SELECT s.tenant_id, s.day - d, s.status, s.devices FROM compliance_snapshots s, generate_series(1, 29) AS d
        WHERE s.tenant_id = $1`,
      [tenant.id],
    );
    await sql.query(
      'VACUUM ANALYZE devices, device_apps, device_profiles, device_compliance, compliance_snapshots',
    );
    log(
      `seeded and evaluated ${devices.toLocaleString('en')} devices in ${secondsSince(start).toFixed(1)} s`,
    );

    const apiMain = fileURLToPath(new URL('../apps/api/src/main.js', import.meta.url));
    child = spawn(process.execPath, [apiMain], {
      env: { ...process.env, ...env, DB_SKIP_MIGRATIONS: 'true' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const base = `http://127.0.0.1:${apiPort}`;
    await waitFor(`${base}/readyz`);
    const headers = { Authorization: `Bearer ${secret}` };
    const get = async (path: string) => {
      const res = await fetch(`${base}${path}`, { headers });
      await res.arrayBuffer();
      // The dashboard shows "not uploaded / not bound" on these two 404s.
      if (!res.ok && res.status !== 404) throw new Error(`${path}: HTTP ${res.status}`);
    };

    const dashboard = [
      '/v1/compliance/summary',
      '/v1/compliance/trend?days=30',
      '/v1/compliance/apps',
      '/v1/apple/push-certificate',
      '/v1/android/enterprise',
    ];
    const dashboardMs = await medianMs(async () => {
      await Promise.all(dashboard.map(get));
    });
    log(`dashboard data (${dashboard.length} requests in parallel, median of ${RUNS}): ${dashboardMs} ms`);
    for (const path of dashboard) log(`  ${path} alone: ${await medianMs(() => get(path))} ms`);

    const page = `limit=${DEVICE_PAGE + 1}`;
    const filtered = `/v1/compliance/devices?status=non_compliant&group=groupe-07&platform=ios&${page}`;
    const devicesPageMs = await medianMs(() => get(filtered));
    log(`filtered device page ${filtered} (median of ${RUNS}): ${devicesPageMs} ms`);
    for (const other of [
      `/v1/compliance/devices?${page}`,
      `/v1/compliance/devices?status=non_compliant&${page}&offset=${DEVICE_PAGE * 20}`,
      `/v1/compliance/devices?supervised=false&${page}`,
      `/v1/compliance/devices?q=SN0000012&${page}`,
    ]) {
      log(`  also ${other}: ${await medianMs(() => get(other))} ms`);
    }

    // The machine may be shared: the figures above are wall times under this load.
    log(
      `load average while measuring: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(', ')}`,
    );
    log('first page JavaScript (chromium):');
    const firstPageJsKbGz = await firstPageJavaScriptKbGz(base, secret);
    log(`first page JavaScript: ${firstPageJsKbGz} KB gzipped`);
    console.log(
      JSON.stringify({
        bench: 'console',
        devices,
        dashboard_ms: dashboardMs,
        devices_page_ms: devicesPageMs,
        first_page_js_kb_gz: firstPageJsKbGz,
      }),
    );
  } finally {
    child?.kill('SIGTERM');
    await sql.end();
    await app.close();
    if (!process.env.BENCH_KEEP) await scratch.drop();
  }
}

await main();
