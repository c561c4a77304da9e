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
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { ComplianceEvaluator, ComplianceSnapshotsService } from '#libs/compliance';
import { launchChromium } from '../test/support/browser.js';
import { startFleetBench } from './support/fleet-bench.js';

const devices = Number(process.env.BENCH_DEVICES ?? '100000');
const RUNS = Number(process.env.BENCH_RUNS ?? '7');
if (!Number.isSafeInteger(devices) || devices <= 0 || !Number.isSafeInteger(RUNS) || RUNS <= 0) {
  console.error('BENCH_DEVICES and BENCH_RUNS must be positive integers');
  process.exit(2);
}
const DEVICE_PAGE = 50;

const log = (message: string) => console.log(message);
const secondsSince = (start: number) => (performance.now() - start) / 1000;

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

/**
 * Loads the console's first page (the dashboard) in chromium and adds up the gzip size of every
 * JavaScript file it fetched until the page settled: the entry, its imports, the lazy page chunk,
 * the DSFR script and the chart chunk the trend brings in.
 */
async function firstPageJavaScriptKbGz(base: string, token: string): Promise<number> {
  const browser = await launchChromium();
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
  const bench = await startFleetBench('console');
  const { app, sql, tenantId, secret } = bench;
  try {
    const start = performance.now();
    await bench.seed(devices);
    await app.get(ComplianceEvaluator).evaluateInDatabase(tenantId);
    await app.get(ComplianceSnapshotsService).takeToday(tenantId);
    // 29 earlier days of snapshots, so that the trend has a full month to draw.
    await sql.query(
      `INSERT INTO compliance_snapshots (tenant_id, day, status, devices)
       SELECT s.tenant_id, s.day - d, s.status, s.devices FROM compliance_snapshots s, generate_series(1, 29) AS d
        WHERE s.tenant_id = $1`,
      [tenantId],
    );
    await sql.query(
      'VACUUM ANALYZE devices, device_apps, device_profiles, device_compliance, compliance_snapshots',
    );
    log(
      `seeded and evaluated ${devices.toLocaleString('en')} devices in ${secondsSince(start).toFixed(1)} s`,
    );

    const { base } = await bench.startApiProcess();
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
    await bench.close();
  }
}

await main();
