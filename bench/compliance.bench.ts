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
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { ComplianceEvaluator } from '#libs/compliance';
import { startFleetBench } from './support/fleet-bench.js';

const devices = Number(process.env.BENCH_DEVICES ?? '1000000');
if (!Number.isSafeInteger(devices) || devices <= 0) {
  console.error('BENCH_DEVICES must be a positive integer');
  process.exit(2);
}
const SUMMARY_RUNS = 7;

const log = (message: string) => console.log(message);
const secondsSince = (start: number) => (performance.now() - start) / 1000;

/** Peak resident set size of a process (Linux VmHWM), in MB. */
function peakRssMb(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

async function main() {
  const bench = await startFleetBench('compliance');
  const { app, sql, tenantId, actor, policies, secret } = bench;
  try {
    log(`seeding ${devices.toLocaleString('en')} devices with inventories (set-based)`);
    await bench.seed(devices, log);

    const evaluator = app.get(ComplianceEvaluator);
    let start = performance.now();
    const initial = await evaluator.evaluateInDatabase(tenantId);
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
    const changes = await evaluator.evaluateInDatabase(tenantId);
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

    const { base, child } = await bench.startApiProcess();
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
    await bench.close();
  }
}

await main();
