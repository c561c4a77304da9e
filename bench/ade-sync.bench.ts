/*
 * Apple Business Manager sync: fetch and store BENCH_DEVICES devices (default 100,000, pages of
 * 1,000) from the fake Device Assignment API, then assign them the ADE profile (batches of 1,000).
 *
 *   npm run bench:ade-sync
 *   BENCH_DEVICES=20000 npm run bench:ade-sync
 *
 * Needs PostgreSQL and Redis. Creates its own database, runs the sync service in this process
 * (what the worker's job runs, without the queue around it) against the fake in the same process,
 * so rss_mb is the peak of both together: Rempart alone uses less. The last line is one JSON object.
 */
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { performance } from 'node:perf_hooks';
import { AdeAccountsService, AdeModule, AdeSyncService } from '#libs/apple-server';
import { AuditModule, type Actor } from '#libs/audit';
import { AuthModule, TenantsService } from '#libs/auth';
import { ConfigModule, loadConfig } from '#libs/config';
import { GroupsService } from '#libs/fleet';
import { PersistenceModule, prepareDatabase } from '#libs/persistence';
import { buildServerTokenP7m } from '../test/fakes/ade-token.js';
import { FakeAde } from '../test/fakes/fake-ade.js';
import { scratchDatabase } from './support/scratch-database.js';

const devices = Number(process.env.BENCH_DEVICES ?? '100000');
if (!Number.isInteger(devices) || devices <= 0) {
  console.error('BENCH_DEVICES must be a positive integer');
  process.exit(2);
}

const scratch = scratchDatabase('ade');
const { name: dbName, url: databaseUrl } = scratch;

async function main() {
  const fake = new FakeAde({ sessionMaxRequests: 100_000 });
  fake.recordRequests = false;
  await fake.start();
  fake.addDevices(devices, (i) => ({ description: i % 10 === 0 ? 'IPHONE 15 CABINET' : 'IPHONE 15' }));
  await prepareDatabase(databaseUrl);
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: databaseUrl,
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: dbName,
    APPLE_ADE_URL: fake.url,
  });

  @Module({ imports: [ConfigModule.forRoot(config), PersistenceModule, AuditModule, AuthModule, AdeModule] })
  class BenchModule {}
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: false });
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  try {
    const tenant = await app.get(TenantsService).create('bench', 'Bench', 'cli:bench');
    const actor: Actor = { tenantId: tenant.id, officerId: null, label: 'cli:bench' };
    await app.get(GroupsService).create(actor, 'agents', 'Agents');
    await app.get(GroupsService).create(actor, 'cabinet', 'Cabinet');
    const accounts = app.get(AdeAccountsService);
    const certificate = await accounts.certificate(actor);
    await accounts.uploadToken(actor, buildServerTokenP7m(certificate, fake.credentials));
    await accounts.update(actor, {
      defaultGroup: 'agents',
      rules: [{ group: 'cabinet', descriptionContains: 'cabinet' }],
    });

    const started = performance.now();
    const report = await app.get(AdeSyncService).sync(tenant.id);
    const seconds = (performance.now() - started) / 1000;
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    if (report.devices !== devices || report.assignment?.assigned !== devices) {
      throw new Error(
        `sync stored ${report.devices} and assigned ${report.assignment?.assigned} of ${devices}`,
      );
    }
    console.error(
      `${report.pages} pages, ${report.devices} devices stored and assigned in ${seconds.toFixed(2)} s`,
    );
    console.log(
      JSON.stringify({
        bench: 'ade-sync',
        devices,
        devices_per_s: Math.round(devices / seconds),
        rss_mb: Math.round(peakRss / 1024 / 1024),
      }),
    );
  } finally {
    clearInterval(sampler);
    await app.close();
    await fake.stop();
    await scratch.drop();
  }
}

await main();
