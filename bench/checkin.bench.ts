/*
 * Signed Idle check-ins per second against one mdm process, and against a bare Node.js HTTP server
 * answering the same requests with an empty body, in the same run.
 *
 *   npm run bench:checkin
 *   BENCH_SECONDS=5 BENCH_DEVICES=16 BENCH_CONCURRENCY=16 npm run bench:checkin
 *
 * Needs PostgreSQL and Redis. Creates its own database, starts the API in this process (for set-up
 * only) and the mdm process as a child, enrolls simulated iPhones through enrollUrl and SCEP, then
 * has them send signed Idle reports (PUT ServerURL with Mdm-Signature), each signed anew, as real
 * phones do. The last line of output is one JSON object.
 *
 * The server accepts a signed request once (replay protection), and a signing time has a
 * one-second resolution: a real phone sends one Idle per push, but the bench's phones send dozens
 * a second, so each report carries a sequence number (a key the server ignores) to stay a distinct
 * request. The same reason retired the former BENCH_PRESIGN mode: a reused signature is a replay.
 *
 * Diagnostics: BENCH_MDM_PROFILE=<dir> writes a CPU profile of the mdm process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { createApiApp } from '../apps/api/src/api-app.js';
import { encodePlist } from '#libs/apple';
import { OfficersService, TenantsService } from '#libs/auth';
import { loadConfig } from '#libs/config';
import { prepareDatabase } from '#libs/persistence';
import { createLogger } from '#libs/platform';
import { makePushCertificate } from '../test/support/push-certificate.js';
import { freePort } from '../test/support/mdm-harness.js';
import { SimulatedIphone } from '../test/simulators/iphone-simulator.js';
import { runWithConcurrency } from '../test/simulators/fleet.js';
import { scratchDatabase } from './support/scratch-database.js';

const seconds = Number(process.env.BENCH_SECONDS ?? '10');
const devices = Number(process.env.BENCH_DEVICES ?? '16');
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? '16');
for (const [name, value] of Object.entries({
  BENCH_SECONDS: seconds,
  BENCH_DEVICES: devices,
  BENCH_CONCURRENCY: concurrency,
})) {
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`${name} must be a positive number`);
    process.exit(2);
  }
}

const scratch = scratchDatabase('checkin');
const { name: dbName, url: databaseUrl } = scratch;

/**
 * BENCH_MDM_PROFILE=<dir> runs the mdm process under --cpu-prof; it exits by itself after
 * BENCH_MDM_PROFILE_SECONDS (default 25) so that the profile is written.
 */
function startChild(script: string, env: Record<string, string>): ChildProcess {
  const profileDir = process.env.BENCH_MDM_PROFILE;
  const args = profileDir
    ? [
        '--cpu-prof',
        `--cpu-prof-dir=${profileDir}`,
        '--input-type=module',
        '-e',
        `setTimeout(() => process.exit(0), ${Number(process.env.BENCH_MDM_PROFILE_SECONDS ?? 25) * 1000}); await import(${JSON.stringify(script)});`,
      ]
    : [script];
  return spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', process.env.BENCH_VERBOSE ? 'inherit' : 'ignore', 'inherit'],
  });
}

async function waitFor(url: string, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within ${ms} ms`);
}

interface Run {
  requests: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

/** `concurrency` loops, each sending signed Idle reports of its phones to `urlFor(phone)` for `duration` s. */
async function drive(
  phones: SimulatedIphone[],
  urlFor: (phone: SimulatedIphone) => string,
  duration = seconds,
): Promise<Run> {
  const latencies: number[] = [];
  let errors = 0;
  let sequence = 0;
  const started = performance.now();
  const deadline = started + duration * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = worker; performance.now() < deadline; i += concurrency) {
        const phone = phones[i % phones.length];
        const body = encodePlist({ UDID: phone.udid, Status: 'Idle', BenchSequence: (sequence += 1) });
        const t0 = performance.now();
        const status = await put(urlFor(phone), body, phone.mdmSignatureHeader(body));
        latencies.push(performance.now() - t0);
        if (status !== 200) errors += 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return {
    requests: latencies.length,
    seconds: elapsed,
    perSecond: latencies.length / elapsed,
    p50: pct(0.5),
    p99: pct(0.99),
    errors,
  };
}

/** Keep-alive connections, one per concurrent loop, as phones behind one proxy would use. */
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });

function put(url: string, body: Buffer, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'PUT',
        agent,
        headers: {
          'Content-Type': 'application/x-apple-aspen-mdm',
          'Content-Length': body.length,
          ...headers,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const BARE_SERVER = `
const http = require('node:http');
http.createServer((req, res) => { req.on('data', () => {}); req.on('end', () => { res.writeHead(200); res.end(); }); })
  .listen(Number(process.env.PORT), '127.0.0.1');
`;

async function main() {
  const [apiPort, mdmPort, barePort] = [await freePort(), await freePort(), await freePort()];
  const mdmUrl = `http://127.0.0.1:${mdmPort}`;
  const env = {
    DATABASE_URL: databaseUrl,
    API_PORT: String(apiPort),
    MDM_PORT: String(mdmPort),
    MDM_PUBLIC_URL: mdmUrl,
    QUEUE_PREFIX: dbName,
    LOG_LEVEL: 'warn',
    // Its push certificate is self-made (test/support/push-certificate.ts).
    APNS_ALLOW_UNTRUSTED_PUSH_CERTIFICATES: 'true',
  };
  const config = loadConfig({ ...process.env, ...env });
  await prepareDatabase(databaseUrl);
  const api = await createApiApp(config, createLogger('api', 'warn'));
  await api.listen(apiPort, '127.0.0.1');
  const children: ChildProcess[] = [];
  try {
    const tenant = await api.get(TenantsService).create('bench', 'Banc d’essai', 'cli:bench');
    const actor = { tenantId: tenant.id, officerId: null, label: 'cli:bench' };
    const officer = await api.get(OfficersService).create(actor, 'bench@bench.gouv.fr', 'admin');
    const { secret } = await api.get(OfficersService).issueToken(actor, officer.id);
    const call = async (method: string, path: string, body: unknown) => {
      const res = await fetch(`http://127.0.0.1:${apiPort}${path}`, {
        method,
        headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      return res.json() as Promise<Record<string, unknown>>;
    };
    const push = makePushCertificate();
    await call('PUT', '/v1/apple/push-certificate', {
      certificate: push.certificatePem,
      privateKey: push.privateKeyPem,
    });
    await call('POST', '/v1/groups', { slug: 'bench', name: 'Bench' });
    const enrollment = await call('POST', '/v1/enrollments', { group: 'bench', platform: 'ios' });

    const mdmMain = fileURLToPath(new URL('../apps/mdm/src/main.js', import.meta.url));
    children.push(startChild(mdmMain, { ...env, DB_SKIP_MIGRATIONS: 'true' }));
    children.push(
      spawn(process.execPath, ['--input-type=commonjs', '-e', BARE_SERVER], {
        env: { ...process.env, PORT: String(barePort) },
        stdio: 'ignore',
      }),
    );
    await waitFor(`${mdmUrl}/readyz`);

    const phones = Array.from(
      { length: devices },
      (_, i) => new SimulatedIphone({ supervised: true, installedApps: [], deviceName: `bench-${i}` }),
    );
    const enrollStart = performance.now();
    await runWithConcurrency(phones, 4, async (phone) => {
      await phone.enroll(String(enrollment.enrollUrl));
      await phone.processCommands();
    });
    const enrollSeconds = (performance.now() - enrollStart) / 1000;
    console.log(
      `enrolled ${devices} simulated iPhones (SCEP + Authenticate + TokenUpdate + first inventory) in ${enrollSeconds.toFixed(1)} s`,
    );

    const serverUrl = (phone: SimulatedIphone) => phone.enrollment!.serverUrl;
    await drive(phones, serverUrl, Math.min(2, seconds)); // warm-up: JIT, pools, caches
    const rempart = await drive(phones, serverUrl);
    const bare = await drive(phones, () => `http://127.0.0.1:${barePort}/`);
    const ratio = rempart.perSecond / bare.perSecond;
    const rssMb = process.memoryUsage().rss / 1024 / 1024;

    console.log(
      `\nSigned Idle check-ins, ${devices} phones, ${concurrency} concurrent, ${seconds} s each, client on the same machine`,
    );
    console.log(
      `  Rempart mdm:      ${rempart.perSecond.toFixed(0)}/s  p50 ${rempart.p50.toFixed(1)} ms  p99 ${rempart.p99.toFixed(1)} ms  (${rempart.requests} requests, ${rempart.errors} errors)`,
    );
    console.log(
      `  bare Node server: ${bare.perSecond.toFixed(0)}/s  p50 ${bare.p50.toFixed(1)} ms  p99 ${bare.p99.toFixed(1)} ms`,
    );
    console.log(`  ratio ${ratio.toFixed(2)}; reference: NanoMDM ~660/s on this machine kind`);
    console.log(
      JSON.stringify({
        bench: 'checkin',
        devices,
        concurrency,
        seconds,
        checkins_per_second: Number(rempart.perSecond.toFixed(1)),
        p50_ms: Number(rempart.p50.toFixed(2)),
        p99_ms: Number(rempart.p99.toFixed(2)),
        bare_node_per_second: Number(bare.perSecond.toFixed(1)),
        ratio: Number(ratio.toFixed(3)),
        errors: rempart.errors,
        rss_mb: Number(rssMb.toFixed(1)),
      }),
    );
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await api.close();
    await scratch.drop().catch(() => undefined);
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(`bench:checkin failed: ${error.message}`);
    void scratch.drop().finally(() => process.exit(1));
  },
);
