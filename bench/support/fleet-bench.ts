/*
 * The fleet that bench:compliance and bench:console share: a scratch database, the api's code in this
 * process to set up a tenant, an auditor token and the French messaging policy over GROUPS groups,
 * devices with inventories seeded set-based, and the api as a child process to measure against.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { INestApplication } from '@nestjs/common';
import pg from 'pg';
import { createApiApp } from '../../apps/api/src/api-app.js';
import type { Actor } from '#libs/audit';
import { OfficersService, TenantsService } from '#libs/auth';
import { loadConfig } from '#libs/config';
import { prepareDatabase } from '#libs/persistence';
import { createLogger } from '#libs/platform';
import { PoliciesService } from '#libs/policy';
import { freePort } from '../../test/support/mdm-harness.js';
import { scratchDatabase } from './scratch-database.js';

export const GROUPS = 20;

export interface FleetBench {
  app: INestApplication;
  sql: pg.Pool;
  tenantId: string;
  actor: Actor;
  policies: PoliciesService;
  /** The auditor's bearer token. */
  secret: string;
  /** Devices, apps, profiles and compliance facts for `devices` phones (see seedFleet). */
  seed: (devices: number, log?: (line: string) => void) => Promise<void>;
  /** Starts the api from dist/ on the same database and waits for /readyz; returns its base URL. */
  startApiProcess: () => Promise<{ base: string; child: ChildProcess }>;
  close: () => Promise<void>;
}

export async function startFleetBench(name: string): Promise<FleetBench> {
  const scratch = scratchDatabase(name);
  await scratch.adminQuery(`CREATE DATABASE "${scratch.name}"`);
  const apiPort = await freePort();
  const env = {
    DATABASE_URL: scratch.url,
    API_PORT: String(apiPort),
    QUEUE_PREFIX: scratch.name,
    LOG_LEVEL: 'warn',
  };
  await prepareDatabase(scratch.url);
  const app = await createApiApp(loadConfig({ ...process.env, ...env }), createLogger('api', 'warn'));
  await app.init();
  const sql = new pg.Pool({ connectionString: scratch.url, max: 2 });
  let child: ChildProcess | undefined;
  const close = async () => {
    child?.kill('SIGTERM');
    await sql.end();
    await app.close();
    if (!process.env.BENCH_KEEP) await scratch.drop();
  };
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
    const profile = { identifier: rows[0].profile_identifier, uuid: rows[0].profile_uuid };
    return {
      app,
      sql,
      tenantId: tenant.id,
      actor,
      policies,
      secret,
      seed: (devices, log = () => undefined) => seedFleet(sql, tenant.id, profile, devices, log),
      startApiProcess: async () => {
        const apiMain = fileURLToPath(new URL('../../apps/api/src/main.js', import.meta.url));
        child = spawn(process.execPath, [apiMain], {
          env: { ...process.env, ...env, DB_SKIP_MIGRATIONS: 'true' },
          stdio: ['ignore', 'ignore', 'inherit'],
        });
        const base = `http://127.0.0.1:${apiPort}`;
        await waitFor(`${base}/readyz`);
        return { base, child };
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Devices spread over the groups; 90 % iPhones (80 % of them supervised), 10 % Android phones.
 * Android phones last reported when last seen. Each has four ordinary apps; Olvid on 80 %; WhatsApp
 * on 1 in 20, Telegram on 1 in 33, TikTok on 1 in 25 (banned only once the recreational list is
 * added). iPhones have the version 1 profile. One in 50 has not been seen for three days.
 */
async function seedFleet(
  sql: pg.Pool,
  tenantId: string,
  profile: { identifier: string; uuid: string },
  devices: number,
  log: (line: string) => void,
) {
  const secondsSince = (start: number) => ((performance.now() - start) / 1000).toFixed(1);
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
  log(`  devices: ${secondsSince(start)} s`);
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
  log(`  apps: ${secondsSince(start)} s`);
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
  log(`  profiles and inventory facts: ${secondsSince(start)} s`);
  start = performance.now();
  // Statistics before any evaluation: its plan depends on them (autovacuum's job in production).
  await sql.query('VACUUM ANALYZE devices, device_apps, device_profiles, device_compliance');
  log(`  vacuum analyze: ${secondsSince(start)} s`);
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
