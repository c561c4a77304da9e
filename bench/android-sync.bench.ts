/*
 * A devices.list sync of BENCH_DEVICES Android phones (default 100,000: 1,000 pages of 100) from the
 * fake AMAPI, into PostgreSQL, as POST /v1/android/sync and the worker's schedule run it.
 *
 *   npm run bench:android-sync
 *   BENCH_DEVICES=20000 npm run bench:android-sync
 *
 * Needs PostgreSQL and Redis (its database is dropped at the end unless BENCH_KEEP=1). The fake runs as its own process (bench/fake-amapi-process.ts) with
 * phones generated on demand; Rempart's side (a Nest application context with the Android services,
 * as in the worker) runs here, so rss_mb is the peak resident memory of the process doing the sync. Each
 * phone reports 5 apps, so the sync also writes 5 inventory rows per phone. The last line of output
 * is one JSON object.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type DynamicModule, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import pg from 'pg';
import {
  AndroidDevicesService,
  AndroidEnterpriseService,
  AndroidGroupPoliciesService,
  AndroidServerModule,
} from '#libs/android-server';
import { AuditModule, type Actor } from '#libs/audit';
import { AuthModule, TenantsService } from '#libs/auth';
import { type AppConfig, ConfigModule, loadConfig } from '#libs/config';
import { FleetModule, GroupsService } from '#libs/fleet';
import { PersistenceModule, prepareDatabase } from '#libs/persistence';
import { scratchDatabase } from './support/scratch-database.js';

/** What a worker needs to sync Android devices, and nothing else (no HTTP server, no queues). */
@Module({})
class AndroidSyncBenchModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AndroidSyncBenchModule,
      imports: [
        ConfigModule.forRoot(config),
        PersistenceModule,
        AuditModule,
        AuthModule,
        FleetModule,
        AndroidServerModule,
      ],
    };
  }
}

const devices = Number(process.env.BENCH_DEVICES ?? '100000');
if (!Number.isInteger(devices) || devices <= 0) {
  console.error('BENCH_DEVICES must be a positive integer');
  process.exit(2);
}

const scratch = scratchDatabase('android');
const { url: databaseUrl } = scratch;

const fakeScript = fileURLToPath(new URL('./fake-amapi-process.js', import.meta.url));
const fakeProcess = spawn(process.execPath, [fakeScript], {
  env: { ...process.env, BENCH_DEVICES: String(devices) },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const [firstLine] = (await once(createInterface({ input: fakeProcess.stdout! }), 'line')) as [string];
const fake = JSON.parse(firstLine) as { rootUrl: string; enterpriseName: string; serviceAccountKey: object };

await prepareDatabase(databaseUrl);
const config = loadConfig({
  ...process.env,
  DATABASE_URL: databaseUrl,
  AMAPI_ROOT_URL: fake.rootUrl,
  NODE_ENV: 'development',
  LOG_LEVEL: 'warn',
});
const app = await NestFactory.createApplicationContext(AndroidSyncBenchModule.forRoot(config), {
  logger: ['warn'],
});
await app.init();
try {
  const tenant = await app.get(TenantsService).create('bench', 'Benchmark', 'cli:bench');
  const actor: Actor = { tenantId: tenant.id, officerId: null, label: 'cli:bench' };
  const group = await app.get(GroupsService).create(actor, 'fleet', 'Fleet');
  await app.get(AndroidEnterpriseService).bind(actor, {
    enterpriseName: fake.enterpriseName,
    serviceAccountKey: fake.serviceAccountKey,
  });
  await app.get(AndroidGroupPoliciesService).syncGroupPolicy(tenant.id, group.id);

  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const result = await app.get(AndroidDevicesService).syncTenant(tenant.id);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);

  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const stored = await client.query(
    `SELECT (SELECT count(*) FROM devices WHERE platform = 'android')::int AS devices,
            (SELECT count(*) FROM device_apps)::int AS apps`,
  );
  await client.end();
  if (stored.rows[0].devices !== devices || result.devices !== devices) {
    throw new Error(
      `expected ${devices} devices, synced ${result.devices}, stored ${stored.rows[0].devices}`,
    );
  }
  console.log(
    `synced ${result.devices} devices in ${result.pages} pages (${stored.rows[0].apps} app rows) in ${seconds.toFixed(2)} s;` +
      ` this process used ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s of CPU (the rest: PostgreSQL, the fake, other load)`,
  );
  console.log(
    JSON.stringify({
      bench: 'android-sync',
      devices: result.devices,
      devices_per_s: Math.round(result.devices / seconds),
      rss_mb: Math.round(peakRss / 1024 / 1024),
    }),
  );
} finally {
  await app.close();
  fakeProcess.kill('SIGTERM');
  if (!process.env.BENCH_KEEP) await scratch.drop();
}
