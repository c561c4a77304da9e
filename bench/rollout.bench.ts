/*
 * One policy version to 100,000 enrolled iPhones: the time from publishing until the (fake) APNs has
 * accepted a push for every phone, the worker's peak RSS, and, in the same run, a raw HTTP/2 client
 * pushing the same number of requests to the same fake (what the machine and the fake allow).
 *
 *   npm run bench:rollout
 *   BENCH_DEVICES=10000 npm run bench:rollout
 *
 * Needs PostgreSQL and Redis. Creates its own database (dropped at the end unless BENCH_KEEP=1), seeds the enrolled devices in one statement
 * (as phones that have enrolled and sent TokenUpdate), starts api and worker as real processes wired
 * to the fake APNs, publishes the French messaging ban through the API and waits. The last line of
 * output is one JSON object: {"bench":"rollout","devices",…,"seconds","pushes_per_s",
 * "raw_pushes_per_s","ratio","worker_rss_mb"}.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { DEFAULT_MAX_CONCURRENT_STREAMS } from '#libs/apple';
import { prepareDatabase } from '#libs/persistence';
import { ApiClient } from '../demo/api-client.js';
import { freePort } from '../test/support/mdm-harness.js';
import { type RunningProcess, startProcess, waitForHttp } from '../test/support/processes.js';
import { makePushCertificate } from '../test/support/push-certificate.js';
import { startFakeApnsProcess } from './support/fake-apns-process.js';
import { rawApnsPush } from './support/raw-apns-pusher.js';

/** The baseline keeps as many streams in flight as ApnsClient does. */
const PUSH_STREAMS = DEFAULT_MAX_CONCURRENT_STREAMS;
const devices = Number(process.env.BENCH_DEVICES ?? '100000');
const timeoutSeconds = Number(process.env.BENCH_TIMEOUT_SECONDS ?? '300');
if (!Number.isSafeInteger(devices) || devices < 1) {
  console.error('BENCH_DEVICES must be a positive whole number');
  process.exit(2);
}

const adminUrl = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const database = `rempart_bench_rollout_${process.pid}`;
const databaseUrl = adminUrl.replace(/\/[^/]*$/, `/${database}`);

async function sql(url: string, text: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text, params);
  } finally {
    await client.end();
  }
}

/** Enrolled phones of group `cabinets`, as after Authenticate + TokenUpdate, in one statement. */
async function seedDevices(topic: string): Promise<void> {
  await sql(
    databaseUrl,
    `INSERT INTO devices (tenant_id, platform, group_id, udid, status, is_supervised, push_token, push_magic,
                          push_topic, enrolled_at, last_seen_at, device_name)
     SELECT g.tenant_id, 'ios', g.id, 'BENCH-' || lpad(i::text, 8, '0'), 'enrolled', true,
            encode(sha256(i::text::bytea), 'hex'), md5(i::text), $1, now(), now(), 'iPhone ' || i
     FROM device_groups g, generate_series(1, $2::int) AS i
     WHERE g.slug = 'cabinets'`,
    [topic, devices],
  );
}

async function main(): Promise<void> {
  const processes: RunningProcess[] = [];
  // The fake in a process of its own, as Apple is on other machines (and for the raw baseline too).
  const apns = await startFakeApnsProcess();
  try {
    await prepareDatabase(databaseUrl);
    const ports = {
      api: await freePort(),
      apiMetrics: await freePort(),
      workerMetrics: await freePort(),
    };
    const env = {
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: database,
      API_PORT: String(ports.api),
      API_METRICS_PORT: String(ports.apiMetrics),
      WORKER_METRICS_PORT: String(ports.workerMetrics),
      APNS_URL: apns.url,
      APNS_CA_FILE: apns.caFile,
      // Its push certificate is self-made (test/support/push-certificate.ts), for the fake APNs.
      APNS_ALLOW_UNTRUSTED_PUSH_CERTIFICATES: 'true',
      REMPART_MASTER_KEY: randomBytes(32).toString('base64url'),
      AUDIT_HMAC_KEY: randomBytes(32).toString('base64url'),
      DB_SKIP_MIGRATIONS: 'true',
      // Tuning knobs pass through, so that one run can try other values (README, Rollouts).
      ...Object.fromEntries(
        Object.entries(process.env).filter(
          (entry): entry is [string, string] =>
            /^(QUEUE_CONCURRENCY_|ROLLOUT_SLICE_SIZE$|HACK_)/.test(entry[0]) && entry[1] !== undefined,
        ),
      ),
    };
    processes.push(startProcess('api', 'api', env, [], nodeArgs('BENCH_API_NODE_ARGS')));
    await waitForHttp(`http://127.0.0.1:${ports.api}/readyz`);
    const api = await ApiClient.bootstrap({ apiUrl: `http://127.0.0.1:${ports.api}`, env, tenant: 'bench' });
    const push = makePushCertificate();
    await api.put('/v1/apple/push-certificate', {
      certificate: push.certificatePem,
      privateKey: push.privateKeyPem,
    });
    // The tenant's profile-signing identity is made at first use (an RSA key): a tenant that has
    // been set up has it, so the publish measured below is a routine one.
    await api.get('/v1/apple/signing-identity');
    await api.post('/v1/groups', { slug: 'cabinets', name: 'Cabinets' });
    const seeded = performance.now();
    await seedDevices(push.topic);
    console.log(
      `seeded ${devices} enrolled iPhones in ${((performance.now() - seeded) / 1000).toFixed(1)} s`,
    );
    await api.post('/v1/policies', {
      slug: 'messageries',
      name: 'Messageries grand public',
      groups: ['cabinets'],
      blockLists: ['fr-gov-2023-messaging'],
      allowLists: ['fr-gov-2023-messaging-approved'],
    });

    const worker = startProcess('worker', 'worker', env, [], nodeArgs('BENCH_WORKER_NODE_ARGS'));
    processes.push(worker);
    await waitForHttp(`http://127.0.0.1:${ports.workerMetrics}/metrics`);
    let workerPeakMb = (await residentMegabytes(worker.child.pid)) ?? 0;
    const sampler = setInterval(() => {
      void residentMegabytes(worker.child.pid).then((mb) => {
        if (mb !== undefined) workerPeakMb = Math.max(workerPeakMb, mb);
      });
    }, 100);

    // A worker that has just started sweeps compliance at once (the seeded phones have never been
    // judged, and the stalest get an inventory refresh with a push). That is the fleet's first day,
    // not the morning of a ban: the rollout is measured on a worker that has finished it.
    await settled(`http://127.0.0.1:${ports.workerMetrics}/metrics`, deadlineAfter(timeoutSeconds));
    const before = (await apns.stats()).accepted;

    const started = performance.now();
    const published = await api.post<{ rolloutId: string }>('/v1/policies/messageries/versions', {});
    // Progress is watched on the fake (a counter in another process) until it has accepted a push
    // per phone, then on the API until every delivery is `pushed` (APNs accepted its push and the
    // worker wrote it down; the seeded phones never answer): the end is when the database says so,
    // without polling per-state counts over 100,000 deliveries ten times a second meanwhile, which
    // loaded the database under measurement.
    const deadline = Date.now() + timeoutSeconds * 1000;
    const elapsed = () => round((performance.now() - started) / 1000, 2);
    const phases: Record<string, number> = { published: elapsed() };
    const pause = () => new Promise((resolve) => setTimeout(resolve, 50));
    for (;;) {
      const accepted = (await apns.stats()).accepted - before;
      if (accepted > 0) phases.firstAccepted ??= elapsed();
      if (accepted >= devices) break;
      if (Date.now() > deadline)
        throw new Error(`the fake accepted ${accepted}/${devices} pushes within ${timeoutSeconds} s`);
      await pause();
    }
    phases.allAccepted = elapsed();
    let rollout: { counts: Record<string, number> };
    for (;;) {
      rollout = await api.get<{ counts: Record<string, number> }>(`/v1/rollouts/${published.rolloutId}`);
      if ((rollout.counts.pushed ?? 0) >= devices) break;
      if (Date.now() > deadline)
        throw new Error(`only ${rollout.counts.pushed ?? 0}/${devices} pushed within ${timeoutSeconds} s`);
      await pause();
    }
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    await worker.stop();

    const raw = await rawApnsPush({
      url: apns.url,
      ca: apns.caPem,
      certificatePem: push.certificatePem,
      privateKeyPem: push.privateKeyPem,
      topic: push.topic,
      pushes: devices,
      concurrency: PUSH_STREAMS,
    });
    const fakeStats = await apns.stop();
    if (fakeStats.accepted - before < 2 * devices)
      throw new Error(`the fake accepted ${fakeStats.accepted - before} pushes, expected ${2 * devices}`);
    const pushesPerSecond = devices / seconds;
    console.log(
      `rollout: ${devices} devices pushed in ${seconds.toFixed(1)} s (${pushesPerSecond.toFixed(0)} pushes/s, whole rollout)`,
    );
    console.log(`         deliveries: ${JSON.stringify(rollout.counts)}`);
    console.log(`         seconds since publishing: ${JSON.stringify(phases)}`);
    console.log(`raw HTTP/2 client, same fake: ${raw.pushesPerSecond.toFixed(0)} pushes/s`);
    console.log(`worker peak RSS: ${workerPeakMb.toFixed(0)} MB`);
    console.log(
      JSON.stringify({
        bench: 'rollout',
        devices,
        seconds: round(seconds, 1),
        pushes_per_s: Math.round(pushesPerSecond),
        raw_pushes_per_s: Math.round(raw.pushesPerSecond),
        ratio: round(pushesPerSecond / raw.pushesPerSecond, 2),
        worker_rss_mb: Math.round(workerPeakMb),
      }),
    );
  } finally {
    await Promise.all(processes.map((p) => p.stop()));
    await apns.stop().catch(() => undefined);
    if (!process.env.BENCH_KEEP) {
      await sql(adminUrl, `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).catch(() => undefined);
    }
  }
}

/** BENCH_WORKER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the worker (BENCH_API_NODE_ARGS the api). */
function nodeArgs(variable: string): string[] {
  return (process.env[variable] ?? '').split(' ').filter((arg) => arg !== '');
}

function deadlineAfter(seconds: number): number {
  return Date.now() + seconds * 1000;
}

/**
 * Waits until the worker's compliance queue has run its first sweep and has nothing waiting or
 * active (read from the worker's own Prometheus gauges).
 */
async function settled(metricsUrl: string, deadline: number): Promise<void> {
  const jobs = (text: string, state: string) =>
    Number(
      new RegExp(`^rempart_queue_jobs\\{queue="compliance",state="${state}"\\} (\\d+)`, 'm').exec(
        text,
      )?.[1] ?? NaN,
    );
  for (;;) {
    const text = await (await fetch(metricsUrl)).text();
    if (jobs(text, 'completed') >= 1 && jobs(text, 'active') === 0 && jobs(text, 'waiting') === 0) return;
    if (Date.now() > deadline) throw new Error('the worker did not finish its first compliance sweep');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Resident set size of a process in MB (Linux /proc), or undefined once it has exited. */
async function residentMegabytes(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}

main().catch((error: unknown) => {
  console.error(`bench:rollout: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
