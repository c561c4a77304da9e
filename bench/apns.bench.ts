/*
 * MDM pushes per second through ApnsClient against the local fake APNs, and through a raw HTTP/2
 * pusher (same certificate, same requests, same streams on one connection) in the same run.
 *
 *   npm run bench:apns
 *   BENCH_APNS_PUSHES=20000 BENCH_APNS_STREAMS=500 BENCH_APNS_WINDOW=5000 npm run bench:apns
 *
 * The fake runs in its own process (dist/test/fakes/fake-apns-main.js), as Apple would be on
 * another machine, so the client side keeps this process's core. The client is fed like a rollout
 * worker feeds it: BENCH_APNS_WINDOW pushes awaiting an answer at any time, the client queueing
 * what exceeds its BENCH_APNS_STREAMS streams. The two alternate in 4 rounds of a quarter each (one
 * ApnsClient, so one connection, for all of its rounds). ratio = client pushes/s ÷ raw pushes/s. The
 * last line of output is one JSON object.
 */
import { cpus } from 'node:os';
import { ApnsClient, type ApnsOutcome } from '../libs/apple/src/apns/index.js';
import { makePushCertificate } from '../test/support/push-certificate.js';
import { startFakeApnsProcess } from './support/fake-apns-process.js';
import { benchDeviceToken, rawApnsPush } from './support/raw-apns-pusher.js';

const settings = {
  BENCH_APNS_PUSHES: Number(process.env.BENCH_APNS_PUSHES ?? '100000'),
  BENCH_APNS_STREAMS: Number(process.env.BENCH_APNS_STREAMS ?? '500'),
  BENCH_APNS_WINDOW: Number(process.env.BENCH_APNS_WINDOW ?? '5000'),
};
for (const [name, value] of Object.entries(settings)) {
  if (!Number.isSafeInteger(value) || value <= 0) {
    console.error(`${name} must be a positive integer`);
    process.exit(2);
  }
}
const pushes = settings.BENCH_APNS_PUSHES;
const streams = settings.BENCH_APNS_STREAMS;
const window = settings.BENCH_APNS_WINDOW;
const WARMUP = 2000;
const ROUNDS = 4;

const fake = await startFakeApnsProcess({ maxConcurrentStreams: 1000 });
const { url, caPem: ca } = fake;
const certificate = makePushCertificate();

const client = new ApnsClient({ url, ca, ...certificate, maxConcurrentStreams: streams });
const outcomes: Partial<Record<ApnsOutcome, number>> = {};

/** Pushes `count` through the one ApnsClient, BENCH_APNS_WINDOW awaiting an answer at a time; returns seconds. */
async function throughClient(count: number, firstToken: number): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  const feeder = async (): Promise<void> => {
    while (next < count) {
      const i = firstToken + next++;
      const result = await client.push({
        deviceToken: benchDeviceToken(i),
        pushMagic: 'BENCH-PUSH-MAGIC',
        topic: certificate.topic,
      });
      outcomes[result.outcome] = (outcomes[result.outcome] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, count) }, feeder));
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const raw = (count: number) =>
  rawApnsPush({ url, ca, ...certificate, topic: certificate.topic, pushes: count, concurrency: streams });

// Warm-up: JIT, TLS set-up, the fake's own warm-up.
await throughClient(WARMUP, 0);
await raw(WARMUP);
for (const key of Object.keys(outcomes)) delete outcomes[key as ApnsOutcome];

// Alternating rounds, so that load from other processes on this machine weighs on both alike.
const clientRun = { seconds: 0 };
const rawRun = { seconds: 0, accepted: 0, byStatus: {} as Record<number, number> };
for (let round = 0, done = 0; round < ROUNDS; round++) {
  const count = Math.floor((pushes * (round + 1)) / ROUNDS) - done;
  clientRun.seconds += await throughClient(count, WARMUP + done);
  const rawRound = await raw(count);
  rawRun.seconds += rawRound.seconds;
  rawRun.accepted += rawRound.accepted;
  for (const [status, n] of Object.entries(rawRound.byStatus)) {
    rawRun.byStatus[Number(status)] = (rawRun.byStatus[Number(status)] ?? 0) + n;
  }
  done += count;
}
const clientConnections = client.stats.connectionsOpened;
await client.close();
const rawPerSecond = pushes / rawRun.seconds;

const fakeStats = await fake.stop();

const clientPerSecond = pushes / clientRun.seconds;
const ratio = clientPerSecond / rawPerSecond;
const rssMb = process.resourceUsage().maxRSS / 1024;
const accepted = outcomes.accepted ?? 0;
const round = (x: number, digits: number): number => Number(x.toFixed(digits));

console.log(`APNs MDM pushes against the local fake (HTTP/2 over TLS, separate process)`);
console.log(
  `  node ${process.versions.node}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}; ${streams} streams on one connection, window ${window}`,
);
console.log(
  `  ApnsClient:   ${pushes} pushes in ${clientRun.seconds.toFixed(2)} s → ${clientPerSecond.toFixed(0)}/s; outcomes ${JSON.stringify(outcomes)}; ${clientConnections} connection(s)`,
);
console.log(
  `  raw HTTP/2:   ${pushes} pushes in ${rawRun.seconds.toFixed(2)} s → ${rawPerSecond.toFixed(0)}/s; statuses ${JSON.stringify(rawRun.byStatus)}`,
);
console.log(`  ratio (target ≥ 0.5): ${ratio.toFixed(3)}`);
console.log(
  `  fake APNs:    ${fakeStats.accepted} accepted in all (warm-ups included), ${fakeStats.tlsSessions} TLS connections (1 for ApnsClient, 1 per raw run, warm-up included)`,
);
console.log(`  peak RSS of this process: ${rssMb.toFixed(1)} MB`);
if (accepted !== pushes || rawRun.accepted !== pushes) {
  console.error(
    `not every push was accepted: client ${accepted}/${pushes}, raw ${rawRun.accepted}/${pushes}`,
  );
  process.exitCode = 1;
}
console.log(
  JSON.stringify({
    bench: 'apns',
    pushes,
    seconds: round(clientRun.seconds, 3),
    pushes_per_s: round(clientPerSecond, 1),
    raw_pushes_per_s: round(rawPerSecond, 1),
    ratio: round(ratio, 3),
    rss_mb: round(rssMb, 1),
  }),
);
