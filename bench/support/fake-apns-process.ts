import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { FakeApnsStats } from '../../test/fakes/fake-apns.js';

/*
 * The fake APNs in a process of its own (its CLI, built into dist/), as Apple is on other machines:
 * a benchmark then measures its client side without the fake's work on the same event loop.
 */

export interface FakeApnsProcess {
  url: string;
  /** The fake's CA (PEM), for ApnsClient `ca` / APNS_CA_FILE. */
  caPem: string;
  caFile: string;
  pid: number;
  /** The fake's counters now (one request at a time). */
  stats(): Promise<FakeApnsStats>;
  /** SIGTERM; resolves with the fake's final counters. */
  stop(): Promise<FakeApnsStats>;
}

export async function startFakeApnsProcess(
  options: { maxConcurrentStreams?: number } = {},
): Promise<FakeApnsProcess> {
  const main = fileURLToPath(new URL('../../test/fakes/fake-apns-main.js', import.meta.url));
  const child = spawn(
    process.execPath,
    [main, '--port', '0', '--json', '--max-streams', String(options.maxConcurrentStreams ?? 1000)],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout });
  const exited = new Promise<never>((_, reject) =>
    // 'close', not 'exit': it comes after the last line of stdout has been read.
    child.once('close', (code, signal) => reject(new Error(`the fake APNs exited (${code ?? signal})`))),
  );
  exited.catch(() => {});
  const nextLine = (): Promise<string> =>
    Promise.race([new Promise<string>((resolve) => lines.once('line', resolve)), exited]);
  const { url, caFile, pid } = JSON.parse(await nextLine()) as { url: string; caFile: string; pid: number };
  return {
    url,
    caFile,
    pid,
    caPem: readFileSync(caFile, 'utf8'),
    async stats() {
      const statsLine = nextLine();
      child.stdin.write('stats\n');
      return (JSON.parse(await statsLine) as { stats: FakeApnsStats }).stats;
    },
    async stop() {
      const statsLine = nextLine();
      child.stdin.end();
      child.kill('SIGTERM');
      return (JSON.parse(await statsLine) as { stats: FakeApnsStats }).stats;
    },
  };
}
