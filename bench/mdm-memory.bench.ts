/*
 * Memory of the phone-facing process under a stranger's flood: BENCH_REQUESTS (default 10,000)
 * check-ins, each signed (a valid detached CMS over its body) by a fresh self-signed certificate
 * with BENCH_EXTRA_CERTIFICATES (default 3) more random certificates embedded, sent without any
 * enrollment to a real mdm process. Every one must be refused (400), and the process's resident
 * memory must not grow with the number of strangers (issue 7: under 50 MB for 10,000).
 *
 *   npm run bench:mdm-memory
 *   BENCH_REQUESTS=2000 BENCH_CONCURRENCY=8 npm run bench:mdm-memory
 *
 * Needs PostgreSQL and Redis. Creates its own database and drops it. The last line of output is one
 * JSON object: {"bench":"mdm-memory","requests":…,"rss_growth_mb":…}.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { createApiApp } from '../apps/api/src/api-app.js';
import { encodePlist } from '#libs/apple';
import { TenantsService } from '#libs/auth';
import { loadConfig } from '#libs/config';
import { prepareDatabase } from '#libs/persistence';
import { createLogger } from '#libs/platform';
import { freePort } from '../test/support/mdm-harness.js';
import { strangerKey, strangerSignature } from '../test/support/stranger-requests.js';
import { scratchDatabase } from './support/scratch-database.js';

const requests = Number(process.env.BENCH_REQUESTS ?? '10000');
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? '8');
const extraCertificates = Number(process.env.BENCH_EXTRA_CERTIFICATES ?? '3');
const WARM_UP_REQUESTS = 500;
for (const [name, value] of Object.entries({
  BENCH_REQUESTS: requests,
  BENCH_CONCURRENCY: concurrency,
})) {
  if (!Number.isInteger(value) || value <= 0) {
    console.error(`${name} must be a positive integer`);
    process.exit(2);
  }
}
if (!Number.isInteger(extraCertificates) || extraCertificates < 0 || extraCertificates > 15) {
  console.error('BENCH_EXTRA_CERTIFICATES must be an integer from 0 to 15');
  process.exit(2);
}

const scratch = scratchDatabase('mdm_memory');
const { name: dbName, url: databaseUrl } = scratch;

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

/** Resident set size of a process, from /proc (Linux), in MB. */
function rssMb(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) / 1024;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });

function put(url: string, body: Buffer, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'PUT',
        agent,
        headers: {
          'Content-Type': 'application/x-apple-aspen-mdm-checkin',
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

/** Sends `count` stranger check-ins, `concurrency` at a time; returns the statuses seen. */
async function flood(url: string, count: number): Promise<Map<number, number>> {
  const key = strangerKey();
  const statuses = new Map<number, number>();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next += 1;
        const body = encodePlist({
          MessageType: 'Authenticate',
          Topic: 'com.apple.mgmt.External.stranger',
          UDID: randomUUID().toUpperCase(),
          DeviceName: 'stranger',
          Model: 'iPhone15,2',
          ModelName: 'iPhone',
        });
        const status = await put(url, body, {
          'Mdm-Signature': strangerSignature(body, key, extraCertificates),
        });
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    }),
  );
  return statuses;
}

async function main() {
  const mdmPort = await freePort();
  const mdmUrl = `http://127.0.0.1:${mdmPort}`;
  const env = {
    DATABASE_URL: databaseUrl,
    MDM_PORT: String(mdmPort),
    MDM_PUBLIC_URL: mdmUrl,
    QUEUE_PREFIX: dbName,
    LOG_LEVEL: 'silent',
    MDM_METRICS_PORT: '0',
  };
  const config = loadConfig({ ...process.env, ...env });
  await prepareDatabase(databaseUrl);
  const api = await createApiApp(config, createLogger('api', 'silent'));
  await api.init();
  let child: ChildProcess | undefined;
  try {
    const tenant = await api.get(TenantsService).create('bench', 'Banc d’essai', 'cli:bench');
    const mdmMain = fileURLToPath(new URL('../apps/mdm/src/main.js', import.meta.url));
    child = spawn(process.execPath, [mdmMain], {
      env: { ...process.env, ...env, DB_SKIP_MIGRATIONS: 'true' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await waitFor(`${mdmUrl}/readyz`);
    const pid = child.pid!;
    const checkinUrl = `${mdmUrl}/mdm/${tenant.id}/checkin`;

    // Warm-up: JIT, connection pools, the tenant CA created on first use.
    await flood(checkinUrl, WARM_UP_REQUESTS);
    const before = rssMb(pid);
    const started = performance.now();
    const statuses = await flood(checkinUrl, requests);
    const seconds = (performance.now() - started) / 1000;
    const after = rssMb(pid);
    const refused = statuses.get(400) ?? 0;

    console.log(
      `${requests} stranger check-ins (${1 + extraCertificates} random certificates each) in ${seconds.toFixed(1)} s: ` +
        `statuses ${JSON.stringify(Object.fromEntries(statuses))}; mdm RSS ${before.toFixed(1)} MB -> ${after.toFixed(1)} MB`,
    );
    console.log(
      JSON.stringify({
        bench: 'mdm-memory',
        requests,
        certificates_per_request: 1 + extraCertificates,
        refused,
        seconds: Number(seconds.toFixed(1)),
        rss_before_mb: Number(before.toFixed(1)),
        rss_after_mb: Number(after.toFixed(1)),
        rss_growth_mb: Number((after - before).toFixed(1)),
      }),
    );
    if (refused !== requests)
      throw new Error(`${requests - refused} stranger requests were not refused with 400`);
  } finally {
    child?.kill('SIGTERM');
    await api.close();
    await scratch.drop().catch(() => undefined);
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(`bench:mdm-memory failed: ${error.message}`);
    void scratch.drop().finally(() => process.exit(1));
  },
);
