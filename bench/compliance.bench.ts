/*
 * Compliance at fleet scale: devices with inventories seeded set-based in PostgreSQL, a list change
 * that forces every device to be re-evaluated (one SQL statement, as the worker runs it), then the
 * summary query and a full CSV export through the api process.
 *
 *   npm run bench:compliance                       # 1,000,000 devices
 *   BENCH_DEVICES=100000 npm run bench:compliance
 *
 * Needs PostgreSQL and Redis. Creates its own database (dropped at the end unless BENCH_KEEP=1),
 * sets up the tenant and policy through the API code in this process, and runs the api as a child
 * process for the summary and the export, whose peak RSS (VmHWM) is export_rss_mb. The last line
 * of output is one JSON object.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { createApiApp } from '../apps/api/src/api-app.js';
import type { Actor } from '#libs/audit';
import { OfficersService, TenantsService } from '#libs/auth';
import { ComplianceEvaluator } from '#libs/compliance';
import { loadConfig } from '#libs/config';
import { prepareDatabase } from '#libs/persistence';
import { createLogger } from '#libs/platform';
import { PoliciesService } from '#libs/policy';
import { freePort } from '../test/support/mdm-harness.js';
import { scratchDatabase } from './support/scratch-database.js';

const devices = Number(process.env.BENCH_DEVICES ?? '1000000');
if (!Number.isSafeInteger(devices) || devices <= 0) {
  console.error('BENCH_DEVICES must be a positive integer');
  process.exit(2);
}
const GROUPS = 20;
const SUMMARY_RUNS = 7;

const scratch = scratchDatabase('compliance');
const { name: dbName, url: databaseUrl, adminQuery } = scratch;

const log = (message: string) => console.log(message);
const secondsSince = (start: number) => (performance.now() - start) / 1000;

/**
 * Devices spread over the groups; 90 % iPhones (80 % of them supervised), 10 % Android phones.
 * Android phones last reported when last seen. Each has four ordinary apps; Olvid on 80 %; WhatsApp on 1 in 20, Telegram on 1 in 33, TikTok on
 * 1 in 25 (banned only once the recreational list is added). iPhones have the version 1 profile.
 * One in 50 has not been seen for three days.
 */
async function seed(sql: pg.Pool, tenantId: string, profile: { identifier: string; uuid: string }) {
  let start = performance.now();
  await sql.query(
    `INSERT INTO devices (tenant_id, platform, group_id, udid, status, is_supervised, last_seen_at,
                          last_status_report_at, enrolled_at, device_name, serial_number)
     SELECT $1, CASE WHEN i % 10 = 0 THEN 'android' ELSE 'ios' END, g.ids[1 + i % $3], 'bench-' || i, 'enrolled',
            CASE WHEN i % 10 = 0 THEN NULL ELSE i % 5 <> 1 END, seen,
            CASE WHEN i % 10 = 0 THEN seen END,
            now() - interval '30 days', 'Téléphone ' || i, 'SN' || lpad(i::text, 10, '0')
       FROM generate_series(1, $2) AS i,
            LATERAL (SELECT CASE WHEN i % 50 = 7 THEN now() - interval '3 days'
                                 ELSE now() - (i % 1200) * interval '1 minute' END AS seen) AS s,
            (SELECT array_agg(id ORDER BY slug) AS ids FROM device_groups WHERE tenant_id = $1) AS g`,
    [tenantId, devices, GROUPS],
  );
  log(`  devices: ${secondsSince(start).toFixed(1)} s`);
  start = performance.now();
  await sql.query(
    `INSERT INTO device_apps (device_id, identifier, tenant_id, name, version, reported_at)
     SELECT d.id, CASE WHEN d.platform = 'ios' THEN a.ios ELSE a.android END, d.tenant_id, a.name, '1.0', now()
       FROM devices d
       CROSS JOIN LATERAL (VALUES
         ('com.apple.Pages', 'com.google.android.apps.docs', 'Pages', true),
         ('com.microsoft.Office.Outlook', 'com.microsoft.office.outlook', 'Outlook', true),
         ('fr.gouv.tousanticovid', 'fr.gouv.android.stopcovid', 'TousAntiCovid', true),
         ('com.apple.Keynote', 'com.google.android.apps.maps', 'Keynote', true),
         ('io.olvid.messenger', 'io.olvid.messenger', 'Olvid', (substr(d.udid, 7)::int % 5) <> 3),
         ('net.whatsapp.WhatsApp', 'com.whatsapp', 'WhatsApp', (substr(d.udid, 7)::int % 20) = 3),
         ('ph.telegra.Telegraph', 'org.telegram.messenger', 'Telegram', (substr(d.udid, 7)::int % 33) = 4),
         ('com.zhiliaoapp.musically', 'com.zhiliaoapp.musically', 'TikTok', (substr(d.udid, 7)::int % 25) = 5)
       ) AS a(ios, android, name, present)
      WHERE d.tenant_id = $1 AND a.present`,
    [tenantId],
  );
  log(`  apps: ${secondsSince(start).toFixed(1)} s`);
  start = performance.now();
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
  log(`  profiles and inventory facts: ${secondsSince(start).toFixed(1)} s`);
  start = performance.now();
  await sql.query('VACUUM ANALYZE devices, device_apps, device_profiles, device_compliance');
  log(`  vacuum analyze: ${secondsSince(start).toFixed(1)} s`);
}

function waitFor(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () =>
      fetch(url)
        .then((res) => (res.ok ? resolve() : retry()))
        .catch(retry);
    const retry = () =>
      Date.now() > deadline ? reject(new Error(`${url} not ready`)) : setTimeout(attempt, 200);
    attempt();
  });
}

/** Peak resident set size of a process (Linux VmHWM), in MB. */
function peakRssMb(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

async function main() {
  await adminQuery(`CREATE DATABASE "${dbName}"`);
  const apiPort = await freePort();
  const env = {
    DATABASE_URL: databaseUrl,
    API_PORT: String(apiPort),
    QUEUE_PREFIX: dbName,
    LOG_LEVEL: 'warn',
  };
  const config = loadConfig({ ...process.env, ...env });
  await prepareDatabase(databaseUrl);
  const app = await createApiApp(config, createLogger('api', 'warn'));
  await app.init();
  const sql = new pg.Pool({ connectionString: databaseUrl, max: 2 });
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
    const groups = Array.from({ length: GROUPS }, (_, i) => `groupe-${String(i + 1).padStart(2, '0')}`);
    await policies.create(actor, {
      slug: 'messageries',
      name: 'Messageries',
      groups,
      blockLists: ['fr-gov-2023-messaging'],
      allowLists: ['fr-gov-2023-messaging-approved'],
    });
    await policies.publish(actor, 'messageries');
    const { rows } = await sql.query(
      'SELECT profile_identifier, profile_uuid FROM rollouts WHERE tenant_id = $1',
      [tenant.id],
    );
    log(`seeding ${devices.toLocaleString('en')} devices with inventories (set-based)`);
    await seed(sql, tenant.id, { identifier: rows[0].profile_identifier, uuid: rows[0].profile_uuid });

    const evaluator = app.get(ComplianceEvaluator);
    let start = performance.now();
    const initial = await evaluator.evaluateInDatabase(tenant.id);
    log(
      `initial evaluation: ${initial.length.toLocaleString('en')} status changes in ${secondsSince(start).toFixed(1)} s`,
    );

    // The list change: the recreational list (TikTok...) joins the policy; version 2 takes effect
    // and every device is judged against it.
    await policies.update(actor, 'messageries', {
      blockLists: ['fr-gov-2023-messaging', 'fr-gov-2023-recreational'],
    });
    await policies.publish(actor, 'messageries');
    start = performance.now();
    const changes = await evaluator.evaluateInDatabase(tenant.id);
    const evaluationSeconds = secondsSince(start);
    const devicesPerSecond = Math.round(devices / evaluationSeconds);
    log(
      `list change: ${devices.toLocaleString('en')} devices re-evaluated in ${evaluationSeconds.toFixed(1)} s ` +
        `(${devicesPerSecond.toLocaleString('en')} devices/s, ${changes.length.toLocaleString('en')} status changes)`,
    );
    start = performance.now();
    await sql.query('VACUUM ANALYZE device_compliance');
    log(
      `vacuum analyze device_compliance (autovacuum's job in production): ${secondsSince(start).toFixed(1)} s`,
    );

    const apiMain = fileURLToPath(new URL('../apps/api/src/main.js', import.meta.url));
    child = spawn(process.execPath, [apiMain], {
      env: { ...process.env, ...env, DB_SKIP_MIGRATIONS: 'true' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const base = `http://127.0.0.1:${apiPort}`;
    await waitFor(`${base}/readyz`);
    const headers = { Authorization: `Bearer ${secret}` };

    const timings: number[] = [];
    let summary: unknown;
    for (let i = 0; i < SUMMARY_RUNS; i++) {
      const t = performance.now();
      const res = await fetch(`${base}/v1/compliance/summary`, { headers });
      summary = await res.json();
      timings.push(performance.now() - t);
    }
    timings.sort((a, b) => a - b);
    const summaryMs = Math.round(timings[Math.floor(SUMMARY_RUNS / 2)] * 10) / 10;
    log(
      `summary (median of ${SUMMARY_RUNS}, first run ${timings[0].toFixed(0)}-${timings.at(-1)!.toFixed(0)} ms): ${summaryMs} ms`,
    );
    log(`  ${JSON.stringify(summary)}`);

    start = performance.now();
    const res = await fetch(`${base}/v1/compliance/export.csv`, { headers });
    if (!res.ok || !res.body) throw new Error(`export: HTTP ${res.status}`);
    let bytes = 0;
    let lines = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.byteLength;
      for (const byte of chunk) if (byte === 10) lines += 1;
    }
    const exportSeconds = Math.round(secondsSince(start) * 10) / 10;
    const exportRssMb = Math.round(peakRssMb(child.pid!));
    log(
      `export.csv: ${(lines - 1).toLocaleString('en')} rows, ${(bytes / 1024 / 1024).toFixed(0)} MB in ${exportSeconds} s; ` +
        `api peak RSS ${exportRssMb} MB`,
    );
    console.log(
      JSON.stringify({
        bench: 'compliance',
        devices,
        devices_per_s: devicesPerSecond,
        summary_ms: summaryMs,
        export_seconds: exportSeconds,
        export_rss_mb: exportRssMb,
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
