/*
 * `npm run demo`: the French messaging ban, end to end, on a simulated fleet.
 *
 * Needs only PostgreSQL and Redis (DATABASE_URL's server, REDIS_URL). Starts its own Rempart (api,
 * mdm, worker) on a database of its own and free ports, wired to a local fake APNs; enrolls
 * DEMO_DEVICES simulated iPhones (default 200: three in four supervised, some with WhatsApp,
 * Telegram or TikTok installed) through their enrollment URL and SCEP; publishes the ban of
 * WhatsApp, Telegram, Signal and the other consumer messengers with Olvid and Tchap approved; shows
 * the rollout's progress while APNs pushes wake the phones; prints the result per delivery state and
 * what each kind of phone can still open; then stops everything it started and drops its database.
 *
 *   npm run demo
 *   DEMO_DEVICES=50 npm run demo
 *   DEMO_KEEP=1 npm run demo      # keep the database (its name is printed) for a look afterwards
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import pg from 'pg';
import { prepareDatabase } from '#libs/persistence';
import { FakeApns } from '../test/fakes/fake-apns.js';
import { createFleet, runWithConcurrency } from '../test/simulators/fleet.js';
import type { SimulatedApp, SimulatedIphone } from '../test/simulators/iphone-simulator.js';
import { makePushCertificate } from '../test/support/push-certificate.js';
import { freePort } from '../test/support/mdm-harness.js';
import { type RunningProcess, startProcess, waitForHttp } from '../test/support/processes.js';
import { wakeOnPush } from '../test/simulators/push-wakeup.js';
import { ApiClient } from './api-client.js';
import { ProgressLine } from './progress.js';
import { type DemoSignIn, holdForConsole, startDemoSignIn } from './oidc.js';

const WHATSAPP: SimulatedApp = { identifier: 'net.whatsapp.WhatsApp', name: 'WhatsApp', version: '24.20' };
const TELEGRAM: SimulatedApp = { identifier: 'ph.telegra.Telegraph', name: 'Telegram', version: '11.2' };
const TIKTOK: SimulatedApp = { identifier: 'com.zhiliaoapp.musically', name: 'TikTok', version: '36.5' };
const OLVID: SimulatedApp = { identifier: 'io.olvid.messenger', name: 'Olvid', version: '3.3' };
const BANNED_INSTALLED = [WHATSAPP, TELEGRAM, TIKTOK];

const devices = positiveInteger('DEMO_DEVICES', 200);
const timeoutSeconds = positiveInteger('DEMO_TIMEOUT_SECONDS', 300);
const keepDatabase = process.env.DEMO_KEEP === '1';

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) {
    console.error(`demo: ${name} must be a positive whole number, got "${raw}"`);
    process.exit(2);
  }
  return value;
}

/** Phone i: every third has WhatsApp, every fifth Telegram, every seventh TikTok; all have Olvid. */
function appsFor(i: number): SimulatedApp[] {
  return [OLVID, ...BANNED_INSTALLED.filter((_, k) => i % [3, 5, 7][k] === 0)];
}

const say = (line = '') => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  const started = performance.now();
  const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/rempart';
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const database = `rempart_demo_${process.pid}`;
  const databaseUrl = withDatabase(serverUrl, database);
  const queuePrefix = database;
  const workDir = mkdtempSync(path.join(tmpdir(), 'rempart-demo-'));
  const processes: RunningProcess[] = [];
  let apns: FakeApns | undefined;
  let signIn: DemoSignIn | undefined;

  const cleanUp = async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await apns?.stop();
    await signIn?.stop();
    rmSync(workDir, { recursive: true, force: true });
    await deleteRedisKeys(redisUrl, queuePrefix).catch(() => undefined);
    if (!keepDatabase) await dropDatabase(serverUrl, database).catch(() => undefined);
  };
  const interrupted = () => {
    say('\ndemo: interrupted, stopping what it started');
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  try {
    say(`Rempart demo: the French messaging ban on ${devices} simulated iPhones`);
    say(`  database ${database}, Redis prefix ${queuePrefix}`);
    await prepareDatabase(databaseUrl);

    apns = await FakeApns.start();
    const apnsCaFile = path.join(workDir, 'fake-apns-ca.pem');
    writeFileSync(apnsCaFile, apns.caPem);
    const ports = {
      api: await freePort(),
      mdm: await freePort(),
      apiMetrics: await freePort(),
      mdmMetrics: await freePort(),
      workerMetrics: await freePort(),
    };
    signIn = await startDemoSignIn(ports.api, 'dinum');
    const env = {
      ...signIn.env,
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: queuePrefix,
      API_PORT: String(ports.api),
      MDM_PORT: String(ports.mdm),
      API_METRICS_PORT: String(ports.apiMetrics),
      MDM_METRICS_PORT: String(ports.mdmMetrics),
      WORKER_METRICS_PORT: String(ports.workerMetrics),
      MDM_PUBLIC_URL: `http://127.0.0.1:${ports.mdm}`,
      APNS_URL: apns.url,
      APNS_CA_FILE: apnsCaFile,
      // Keys of this run only: the demo's database is dropped at the end.
      REMPART_MASTER_KEY: randomBytes(32).toString('base64url'),
      AUDIT_HMAC_KEY: randomBytes(32).toString('base64url'),
      DB_SKIP_MIGRATIONS: 'true',
    };
    for (const name of ['api', 'mdm', 'worker'] as const) processes.push(startProcess(name, name, env));
    await waitForHttp(`http://127.0.0.1:${ports.api}/readyz`);
    await waitForHttp(`http://127.0.0.1:${ports.mdm}/readyz`);
    say(
      `  api :${ports.api}, mdm :${ports.mdm}, worker metrics :${ports.workerMetrics}, fake APNs ${apns.url}`,
    );
    for (const line of signIn.instructions) say(line);

    const api = await ApiClient.bootstrap({ apiUrl: `http://127.0.0.1:${ports.api}`, env, tenant: 'dinum' });
    const push = makePushCertificate();
    await api.put('/v1/apple/push-certificate', {
      certificate: push.certificatePem,
      privateKey: push.privateKeyPem,
    });
    await api.post('/v1/groups', { slug: 'cabinets', name: 'Cabinets ministériels' });
    const enrollment = await api.post<{ enrollUrl: string }>('/v1/enrollments', {
      group: 'cabinets',
      platform: 'ios',
      maxUses: devices,
    });

    const fleet = createFleet({ count: devices, supervisedRatio: 0.75, appsFor });
    const enrolling = new ProgressLine('enrolling', devices);
    await runWithConcurrency(fleet, 8, async (phone) => {
      await phone.enroll(enrollment.enrollUrl);
      await phone.processCommands();
      enrolling.tick();
    });
    enrolling.done();
    const wakeups = wakeOnPush(apns, fleet, { concurrency: 16 });

    const policy = {
      slug: 'messageries',
      name: 'Messageries grand public interdites',
      groups: ['cabinets'],
      blockLists: ['fr-gov-2023-messaging'],
      allowLists: ['fr-gov-2023-messaging-approved'],
    };
    await api.post('/v1/policies', policy);
    const published = await api.post<{ version: number; rolloutId: string }>(
      `/v1/policies/${policy.slug}/versions`,
      {},
    );
    say(`\npublished ${policy.slug} v${published.version}: rollout ${published.rolloutId}`);
    const rolledOut = await followRollout(api, published.rolloutId, devices);
    await wakeups.stop();

    say('\ndeliveries by state:');
    for (const [state, count] of Object.entries(rolledOut.counts)) say(`  ${state.padEnd(14)} ${count}`);
    printPhones(fleet);
    const compliance = await api.get<{ counts: Record<string, number> }>('/v1/compliance/summary');
    say('\ncompliance (GET /v1/compliance/summary):');
    for (const [status, n] of Object.entries(compliance.counts)) say(`  ${status.padEnd(14)} ${n}`);
    const stats = apns.stats();
    say(`\nfake APNs: ${stats.accepted} pushes accepted over ${stats.tlsSessions} TLS connection(s)`);
    if (wakeups.failures.length > 0)
      say(`phones that failed to check in after a push: ${wakeups.failures.length}`);
    say(`demo finished in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    if (keepDatabase) say(`database kept: ${databaseUrl}`);
    await holdForConsole(say);
    return rolledOut.counts.verified === devices ? 0 : 1;
  } catch (error) {
    for (const p of processes) {
      const tail = p.output().trim().split('\n').slice(-5).join('\n  ');
      if (tail) say(`${p.name} said:\n  ${tail}`);
    }
    throw error;
  } finally {
    await cleanUp();
  }
}

interface RolloutView {
  status: string;
  percentDone: number;
  counts: Record<string, number>;
}

/** Polls the rollout, drawing its progress, until every delivery is final or the timeout passes. */
async function followRollout(api: ApiClient, rolloutId: string, total: number): Promise<RolloutView> {
  const progress = new ProgressLine('rolling out', total);
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    const rollout = await api.get<RolloutView>(`/v1/rollouts/${rolloutId}`);
    const final =
      (rollout.counts.verified ?? 0) + (rollout.counts.failed ?? 0) + (rollout.counts.superseded ?? 0);
    progress.set(rollout.counts.verified ?? 0, describeCounts(rollout.counts));
    if (final >= total || Date.now() > deadline) {
      progress.done();
      if (final < total) say(`demo: the rollout did not finish within ${timeoutSeconds} s`);
      return rollout;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function describeCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `${state} ${n}`)
    .join(', ');
}

/** What the ban did on each kind of phone: Apple enforces blockedAppBundleIDs only when supervised. */
function printPhones(fleet: SimulatedIphone[]): void {
  const supervised = fleet.filter((p) => p.supervised);
  const unsupervised = fleet.filter((p) => !p.supervised);
  const count = (phones: SimulatedIphone[], test: (p: SimulatedIphone) => boolean) =>
    phones.filter(test).length;
  say(
    `\nwhat the phones can open now (supervised ${supervised.length} / unsupervised ${unsupervised.length}):`,
  );
  for (const [app, role] of [
    [WHATSAPP, 'banned'],
    [TELEGRAM, 'banned'],
    [TIKTOK, 'not in this ban'],
    [OLVID, 'approved'],
  ] as const) {
    const installed = (phones: SimulatedIphone[]) => count(phones, (p) => hasApp(p, app));
    const opens = (phones: SimulatedIphone[]) =>
      count(phones, (p) => hasApp(p, app) && p.canLaunch(app.identifier));
    say(
      `  ${`${app.name} (${role})`.padEnd(26)} installed on ${installed(supervised)} / ${installed(unsupervised)}, ` +
        `opens on ${opens(supervised)} / ${opens(unsupervised)}`,
    );
  }
}

function hasApp(phone: SimulatedIphone, app: SimulatedApp): boolean {
  return phone.installedApps.some((installed) => installed.identifier === app.identifier);
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

async function deleteRedisKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
