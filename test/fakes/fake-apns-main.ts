/*
 * Runs the fake APNs alone, for a demo fleet or a benchmark in another process:
 *
 *   npm run build && node dist/test/fakes/fake-apns-main.js --port 2197
 *   APNS_URL=<printed url> APNS_CA_FILE=<printed CA file> npm start
 *
 * Options: --port N (default 2197; 0 = any free port), --host H (default 127.0.0.1),
 * --ca-file PATH (where to write the CA PEM; default a new temporary file), --max-streams N
 * (SETTINGS_MAX_CONCURRENT_STREAMS, default 1000), --json (print one JSON line {url, caFile, pid}
 * instead of prose, and the final statistics as one JSON line when stopped; a `stats` line on stdin
 * is answered with the current statistics as one JSON line). SIGINT/SIGTERM stop it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { FakeApns } from './fake-apns.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '2197' },
    host: { type: 'string', default: '127.0.0.1' },
    'ca-file': { type: 'string' },
    'max-streams': { type: 'string', default: '1000' },
    json: { type: 'boolean', default: false },
  },
});

function integerOption(name: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    console.error(
      `fake-apns: --${name} must be an integer between ${min} and ${max}, got ${JSON.stringify(raw)}`,
    );
    process.exit(2);
  }
  return value;
}

const port = integerOption('port', values.port, 0, 65535);
const maxConcurrentStreams = integerOption('max-streams', values['max-streams'], 1, 100_000);
let fake: FakeApns;
try {
  fake = await FakeApns.start({ port, host: values.host, maxConcurrentStreams, recordLimit: 1000 });
} catch (error) {
  console.error(`fake-apns: cannot listen on ${values.host}:${port}: ${(error as Error).message}`);
  process.exit(1);
}
const caFile =
  values['ca-file'] ?? path.join(mkdtempSync(path.join(tmpdir(), 'rempart-fake-apns-')), 'ca.pem');
writeFileSync(caFile, fake.caPem);
const url = fake.url;

if (values.json) {
  console.log(JSON.stringify({ url, caFile, pid: process.pid }));
} else {
  console.log(`fake APNs listening on ${url}`);
  console.log(`CA certificate: ${caFile}`);
  console.log(`use: APNS_URL=${url} APNS_CA_FILE=${caFile}`);
}

if (values.json) {
  // A benchmark watches progress here rather than through Rempart's API, whose counts would load
  // the database it measures.
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line.trim() === 'stats' && !stopping) console.log(JSON.stringify({ stats: fake.stats() }));
  });
}

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  const stats = fake.stats();
  await fake.stop();
  console.log(values.json ? JSON.stringify({ stats }) : `stopped: ${JSON.stringify(stats)}`);
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
