/*
 * `npm run demo`: the French messaging ban, end to end, on a simulated mixed fleet.
 *
 * Needs only PostgreSQL and Redis (DATABASE_URL's server, REDIS_URL). Starts its own Rempart (api,
 * mdm, worker) on a database of its own and free ports, wired to local fakes of Apple's and Google's
 * services (APNs, Apple Business Manager, the Android Management API). DEMO_DEVICES phones (default
 * 200, at least 7): half supervised iPhones that come out of the box through Automated Device
 * Enrollment, a quarter unsupervised iPhones enrolled through the enrollment link, a quarter Android
 * phones enrolled with a token; a few are switched off, left in a drawer, or keep WhatsApp, so that
 * every compliance status shows. It publishes the ban of WhatsApp, Telegram, Signal and the other
 * consumer messengers with Olvid and Tchap approved, follows the rollout while APNs pushes wake the
 * iPhones and Google tells the Android phones, prints the deliveries per platform, what each kind of
 * phone can still open and the compliance summary with its reasons; then stops everything it started
 * and drops its database (also on Ctrl-C and on failure).
 *
 *   npm run demo
 *   DEMO_DEVICES=50 npm run demo
 *   DEMO_KEEP=1 npm run demo      # keep the database (its name is printed) for a look afterwards
 *   DEMO_CONSOLE=1 npm run demo   # keep everything up after the run, to sign in to the console, until Ctrl-C
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
import { runWithConcurrency } from '../test/simulators/fleet.js';
import { SimulatedIphone } from '../test/simulators/iphone-simulator.js';
import { wakeOnPush } from '../test/simulators/push-wakeup.js';
import { makePushCertificate } from '../test/support/push-certificate.js';
import { freePort } from '../test/support/mdm-harness.js';
import { type RunningProcess, startProcess, waitForHttp } from '../test/support/processes.js';
import { DemoAndroidEnterprise } from './android-enterprise.js';
import { ApiClient } from './api-client.js';
import { DemoAppleBusinessManager } from './apple-ade.js';
import { adeApps, androidApps, linkApps, MIN_DEVICES, planFleet } from './fleet-plan.js';
import { ProgressLine } from './progress.js';
import { type ComplianceSummary, printApps, printCompliance, printDeliveries, say } from './report.js';
import { type DemoSignIn, holdForConsole, startDemoSignIn } from './oidc.js';

const devices = positiveInteger('DEMO_DEVICES', 200);
const timeoutSeconds = positiveInteger('DEMO_TIMEOUT_SECONDS', 300);
const keepDatabase = process.env.DEMO_KEEP === '1';
const GROUP = 'cabinets';
/** Rempart's default compliance freshness window (COMPLIANCE_FRESHNESS_SECONDS), in hours. */
const FRESHNESS_HOURS = 24;
/** How long ago the phones in the drawer last checked in. */
const DRAWER_DAYS = 3;

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

const started = performance.now();
let stepNumber = 0;
/** One line per step, with the seconds since the demo started. */
const step = (line: string) =>
  say(
    `${String(++stepNumber).padStart(2)}. [${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}`,
  );

async function main(): Promise<number> {
  if (devices < MIN_DEVICES) {
    console.error(`demo: DEMO_DEVICES must be at least ${MIN_DEVICES} (the mixed fleet needs that many)`);
    return 2;
  }
  const plan = planFleet(devices);
  const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/rempart';
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const database = `rempart_demo_${process.pid}`;
  const databaseUrl = withDatabase(serverUrl, database);
  const queuePrefix = database;
  const workDir = mkdtempSync(path.join(tmpdir(), 'rempart-demo-'));
  const processes: RunningProcess[] = [];
  let apns: FakeApns | undefined;
  let abm: DemoAppleBusinessManager | undefined;
  let google: DemoAndroidEnterprise | undefined;
  let signIn: DemoSignIn | undefined;
  let stopWakeups: (() => Promise<void>) | undefined;

  let cleaning: Promise<void> | undefined;
  const cleanUp = () =>
    (cleaning ??= (async () => {
      await stopWakeups?.().catch(() => undefined);
      await Promise.all(processes.map((p) => p.stop()));
      await Promise.allSettled([apns?.stop(), abm?.stop(), google?.stop(), signIn?.stop()]);
      rmSync(workDir, { recursive: true, force: true });
      await deleteRedisKeys(redisUrl, queuePrefix).catch(() => undefined);
      if (!keepDatabase) await dropDatabase(serverUrl, database).catch(() => undefined);
    })());
  const interrupted = () => {
    ProgressLine.stopAll();
    say('\ndemo: interrupted, stopping what it started');
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  try {
    say(
      `Rempart demo: the French messaging ban on ${devices} simulated phones: ${plan.ade} supervised iPhones ` +
        `from Apple Business Manager, ${plan.link} unsupervised iPhones, ${plan.android} Android phones`,
    );
    say(`  database ${database}, Redis prefix ${queuePrefix}`);
    await prepareDatabase(databaseUrl);

    apns = await FakeApns.start();
    abm = await DemoAppleBusinessManager.start();
    google = await DemoAndroidEnterprise.start();
    const apnsCaFile = path.join(workDir, 'fake-apns-ca.pem');
    writeFileSync(apnsCaFile, apns.caPem);
    const deviceCaFile = path.join(workDir, 'test-apple-device-ca.pem');
    writeFileSync(deviceCaFile, abm.deviceCa.certificatePem);
    const ports = {
      api: await freePort(),
      mdm: await freePort(),
      apiMetrics: await freePort(),
      mdmMetrics: await freePort(),
      workerMetrics: await freePort(),
    };
    const mdmUrl = `http://127.0.0.1:${ports.mdm}`;
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
      MDM_PUBLIC_URL: mdmUrl,
      APNS_URL: apns.url,
      APNS_CA_FILE: apnsCaFile,
      APPLE_ADE_URL: abm.url,
      // Setup Assistant's MachineInfo is signed by the test stand-in for Apple's iPhone Device CA.
      APPLE_DEVICE_CA_FILE: deviceCaFile,
      ...google.env(),
      // Compliance re-evaluates phones crossing the freshness window every 2 s, not every 5 min.
      COMPLIANCE_SWEEP_SECONDS: '2',
      // Its push certificate is self-made (test/support/push-certificate.ts), for the fake APNs.
      APNS_ALLOW_UNTRUSTED_PUSH_CERTIFICATES: 'true',
      // Keys of this run only: the demo's database is dropped at the end.
      REMPART_MASTER_KEY: randomBytes(32).toString('base64url'),
      AUDIT_HMAC_KEY: randomBytes(32).toString('base64url'),
      DB_SKIP_MIGRATIONS: 'true',
    };
    for (const name of ['api', 'mdm', 'worker'] as const) {
      const server = startProcess(name, name, env);
      processes.push(server);
      // A server that stops on its own (Redis unreachable, a crash) ends the demo at once, in one line.
      void server.exited.then((code) => {
        if (cleaning) return;
        ProgressLine.stopAll();
        const last = server.output().trim().split('\n').pop() ?? '';
        console.error(`demo: ${name} stopped unexpectedly (exit ${code})${last ? `: ${last}` : ''}`);
        void cleanUp().finally(() => process.exit(1));
      });
    }
    await waitForHttp(`http://127.0.0.1:${ports.api}/readyz`);
    await waitForHttp(`${mdmUrl}/readyz`);
    say(`  api :${ports.api}, mdm :${ports.mdm}, worker metrics :${ports.workerMetrics}`);
    say(
      `  fakes: APNs ${apns.url}, Apple Business Manager ${abm.url}, Android Management API ${google.amapi.rootUrl}`,
    );
    for (const line of signIn.instructions) say(line);

    const api = await ApiClient.bootstrap({ apiUrl: `http://127.0.0.1:${ports.api}`, env, tenant: 'dinum' });
    await uploadPushCertificate(api);
    await api.post('/v1/groups', { slug: GROUP, name: 'Cabinets ministériels' });
    step(
      `tenant dinum and its admin created with the operator CLI; APNs push certificate uploaded; group ${GROUP}`,
    );

    const serials = abm.purchase(plan.ade);
    await abm.link(api, GROUP);
    await abm.waitForAssignment(api, plan.ade, timeoutSeconds * 1000);
    step(
      `Apple Business Manager linked (server token uploaded): ${plan.ade} iPhones synced and assigned ` +
        `the supervised, non-removable ADE profile of ${GROUP}`,
    );

    google.pushTo(mdmUrl);
    await google.bind(api);
    const androidEnrollment = await api.post<{ androidToken: string; qrPngUrl: string }>('/v1/enrollments', {
      group: GROUP,
      platform: 'android',
      maxUses: plan.android,
    });
    step(
      `Android Enterprise ${google.enterpriseName} bound (service-account key); enrollment token for ` +
        `${plan.android} phones, QR code at ${androidEnrollment.qrPngUrl}`,
    );

    const linkEnrollment = await api.post<{ enrollUrl: string }>('/v1/enrollments', {
      group: GROUP,
      platform: 'ios',
      maxUses: plan.link,
    });
    step(`enrollment link for the ${plan.link} unsupervised iPhones (personal purchases, no ABM)`);

    const width = String(devices).length;
    const name = (kind: string, i: number) => `${kind}-${String(i + 1).padStart(width, '0')}`;
    const adePhones = serials.map(
      (serialNumber, i) =>
        new SimulatedIphone({
          serialNumber,
          deviceName: name('iPhone-ABM', i),
          supervised: false,
          installedApps: adeApps(plan, i),
        }),
    );
    const linkPhones = Array.from(
      { length: plan.link },
      (_, i) =>
        new SimulatedIphone({
          deviceName: name('iPhone-perso', i),
          supervised: false,
          installedApps: linkApps(i),
        }),
    );
    const locked = adePhones.slice(0, plan.locked);
    const drawer = adePhones.slice(plan.ade - plan.drawer);
    const silent = linkPhones.slice(0, plan.silent);

    const fromAbm = new Set(adePhones);
    const switchedOffEarly = new Set(silent);
    const setupAssistant = abm;
    const enrolling = new ProgressLine('enrolling', devices);
    await runWithConcurrency([...adePhones, ...linkPhones], 8, async (phone) => {
      if (fromAbm.has(phone)) await setupAssistant.setUp(phone);
      else await phone.enroll(linkEnrollment.enrollUrl);
      // A silent phone is switched off right after enrolling: it never answers its first commands.
      if (!switchedOffEarly.has(phone)) await phone.processCommands();
      enrolling.tick();
    });
    for (let i = 0; i < plan.android; i++) {
      google.enroll(androidEnrollment.androidToken, androidApps(plan, i), i < plan.stubborn);
      enrolling.tick();
    }
    await google.syncPhones();
    enrolling.done();
    const supervisedAde = await countSupervised(api, new Set(serials));
    step(
      `enrolled: ${plan.ade} iPhones through Setup Assistant (${supervisedAde} supervised, GET /v1/devices), ` +
        `${plan.link} through the link, ${plan.android} Android phones with the token`,
    );

    await moveLastCheckInBack(
      databaseUrl,
      drawer.map((p) => p.udid),
      DRAWER_DAYS,
    );
    step(
      `${count(plan.drawer, 'ABM iPhone')} left in a drawer: switched off, last check-in moved back ` +
        `${DRAWER_DAYS} days in the database (as if that time had passed)`,
    );
    step(`${count(plan.silent, 'personal iPhone')} switched off right after enrolling, before any inventory`);
    step(`${count(plan.locked, 'ABM iPhone')} locked: answering NotNow to a profile install until unlocked`);

    const offline = new Set([...drawer, ...silent]);
    const lockedSet = new Set(locked);
    const wakeups = wakeOnPush(
      apns,
      [...adePhones, ...linkPhones].filter((p) => !offline.has(p) && !lockedSet.has(p)),
      { concurrency: 16 },
    );
    const lockedWakeups = wakeOnPush(apns, locked, { processCommands: { notNow: ['InstallProfile'] } });
    stopWakeups = async () => {
      await wakeups.stop();
      await lockedWakeups.stop();
    };
    google.followPolicyChanges();

    const policy = {
      slug: 'messageries',
      name: 'Messageries grand public interdites',
      groups: [GROUP],
      blockLists: ['fr-gov-2023-messaging'],
      allowLists: ['fr-gov-2023-messaging-approved'],
    };
    await api.post('/v1/policies', policy);
    const published = await api.post<{ version: number; rolloutId: string }>(
      `/v1/policies/${policy.slug}/versions`,
      {},
    );
    step(
      `published ${policy.slug} v${published.version}: rollout ${published.rolloutId} (APNs pushes wake the ` +
        `iPhones; the group's Android policy is patched once and Google tells the phones)`,
    );
    const reachable = devices - offline.size - locked.length;
    const rolledOut = await followRollout(api, published.rolloutId, reachable);
    await stopWakeups();

    printDeliveries(rolledOut.countsByPlatform, {
      pushed: 'switched-off or locked iPhones: they get the ban at their next check-in or unlock',
      acknowledged: 'locked iPhones: the profile waits until they are unlocked',
    });
    printApps([...adePhones, ...linkPhones], google.phones);
    const compliance = await settledCompliance(api, {
      pending: plan.locked,
      stale: plan.drawer,
      unknown: plan.silent,
    });
    await printCompliance(api, compliance, FRESHNESS_HOURS);

    const stats = apns.stats();
    say(`\nfake APNs: ${stats.accepted} pushes accepted over ${stats.tlsSessions} TLS connection(s)`);
    if (wakeups.failures.length > 0)
      say(`phones that failed to check in after a push: ${wakeups.failures.length}`);
    say(`demo finished in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    if (keepDatabase) say(`database kept: ${databaseUrl}`);
    await holdForConsole(say);
    const verified = (rolledOut.counts.verified ?? 0) === reachable;
    if (!verified) say(`demo: ${rolledOut.counts.verified ?? 0} of ${reachable} reachable phones verified`);
    return verified ? 0 : 1;
  } finally {
    await cleanUp();
  }
}

/** The push certificate upload, in one place (how test certificates are accepted may change). */
async function uploadPushCertificate(api: ApiClient): Promise<void> {
  const push = makePushCertificate();
  await api.put('/v1/apple/push-certificate', {
    certificate: push.certificatePem,
    privateKey: push.privateKeyPem,
  });
}

interface RolloutView {
  status: string;
  percentDone: number;
  counts: Record<string, number>;
  countsByPlatform: Partial<Record<'ios' | 'android', Record<string, number>>>;
}

/** Polls the rollout, drawing its progress, until every reachable phone's delivery is final or the timeout passes. */
async function followRollout(api: ApiClient, rolloutId: string, reachable: number): Promise<RolloutView> {
  const progress = new ProgressLine('rolling out', reachable);
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    const rollout = await api.get<RolloutView>(`/v1/rollouts/${rolloutId}`);
    const final =
      (rollout.counts.verified ?? 0) + (rollout.counts.failed ?? 0) + (rollout.counts.superseded ?? 0);
    progress.set(rollout.counts.verified ?? 0, describeCounts(rollout.countsByPlatform));
    if (final >= reachable || Date.now() > deadline) {
      progress.done();
      if (final < reachable) say(`demo: the rollout did not finish within ${timeoutSeconds} s`);
      return rollout;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function describeCounts(countsByPlatform: RolloutView['countsByPlatform']): string {
  return Object.entries(countsByPlatform)
    .map(
      ([platform, counts]) =>
        `${platform === 'ios' ? 'iOS' : 'Android'}: ` +
        Object.entries(counts)
          .filter(([, n]) => n > 0)
          .map(([state, n]) => `${state} ${n}`)
          .join(', '),
    )
    .join('; ');
}

/**
 * The compliance summary once the sweep has caught up: only the locked phones pending, the phones in
 * the drawer stale, the silent ones unknown (or the timeout passed).
 */
async function settledCompliance(
  api: ApiClient,
  expected: { pending: number; stale: number; unknown: number },
): Promise<ComplianceSummary> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    const summary = await api.get<ComplianceSummary>('/v1/compliance/summary');
    const settled =
      summary.counts.pending === expected.pending &&
      summary.counts.stale === expected.stale &&
      summary.counts.unknown === expected.unknown;
    if (settled || Date.now() > deadline) return summary;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function countSupervised(api: ApiClient, serials: Set<string>): Promise<number> {
  let supervised = 0;
  for (let offset = 0; ; offset += 1000) {
    const page = await api.get<Array<{ serialNumber: string | null; isSupervised: boolean | null }>>(
      `/v1/devices?platform=ios&limit=1000&offset=${offset}`,
    );
    supervised += page.filter((d) => d.isSupervised === true && serials.has(d.serialNumber ?? '')).length;
    if (page.length < 1000) return supervised;
  }
}

/** What days without a check-in look like to Rempart, without waiting for them. */
async function moveLastCheckInBack(databaseUrl: string, udids: string[], days: number): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      `UPDATE devices SET last_seen_at = now() - make_interval(days => $2) WHERE udid = ANY($1::text[])`,
      [udids, days],
    );
  } finally {
    await client.end();
  }
}

/** "1 ABM iPhone", "2 ABM iPhones". */
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
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
  redis.on('error', () => undefined);
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
