import { runCli } from '../../apps/cli/src/program.js';

export interface CliRun {
  code: number;
  /** Lines written to stdout and stderr, one entry per line the CLI wrote. */
  out: string[];
  err: string[];
  /** Bytes written raw to stdout (`profile build` without `--out`). */
  stdout: Buffer;
}

/** Runs one CLI invocation in this process, as `npm run cli -- ...argv` would, and collects its output. */
export async function cli(...argv: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout: Buffer[] = [];
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, (bytes) =>
    stdout.push(bytes),
  );
  return { code, out, err, stdout: Buffer.concat(stdout) };
}

/** `cli`, with DATABASE_URL pointing at `databaseUrl` for the duration of each invocation. */
export function cliAgainst(databaseUrl: string): (...argv: string[]) => Promise<CliRun> {
  return async (...argv) => {
    const saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL = databaseUrl;
    try {
      return await cli(...argv);
    } finally {
      if (saved === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved;
    }
  };
}
