import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { loadShippedProfiles } from '#libs/catalog';
import { preflight } from '#libs/platform';
import type { CliIo } from '../cli-context.js';

const PROCESSES = ['api', 'mdm', 'worker'] as const;

/**
 * `npm start`: prepares the database once (migrations), then runs api, mdm and worker as child
 * processes and stops them together. SIGTERM/SIGINT stop all three gracefully; if one dies, the
 * others are stopped and the command exits non-zero.
 */
async function up(io: CliIo): Promise<number> {
  const started = Date.now();
  const config = await preflight({ migrate: true, redis: true });
  const shipped = await loadShippedProfiles(config.PROFILES_DIR || undefined);
  io.err(
    `rempart: database and Redis ready, catalog loaded (${shipped.catalog.apps.length} apps, ` +
      `${shipped.lists.length} shipped lists) in ${Date.now() - started} ms; starting ${PROCESSES.join(', ')}`,
  );
  const children = new Map<string, ChildProcess>();
  let stopping = false;
  let exitCode = 0;

  return new Promise<number>((resolve) => {
    const stopAll = (code: number) => {
      if (!stopping) {
        stopping = true;
        exitCode = code;
        for (const child of children.values()) if (child.exitCode === null) child.kill('SIGTERM');
      }
      if ([...children.values()].every((c) => c.exitCode !== null || c.signalCode !== null))
        resolve(exitCode);
    };
    for (const name of PROCESSES) {
      const entry = fileURLToPath(new URL(`../../../${name}/src/main.js`, import.meta.url));
      const child = fork(entry, [], {
        env: { ...process.env, DB_SKIP_MIGRATIONS: 'true' },
        stdio: 'inherit',
      });
      children.set(name, child);
      child.on('exit', (code, signal) => {
        if (!stopping) io.err(`rempart: ${name} exited (${signal ?? `code ${code}`}); stopping the others`);
        stopAll(stopping ? exitCode : 1);
      });
    }
    process.on('SIGTERM', () => stopAll(0));
    process.on('SIGINT', () => stopAll(0));
  });
}

export function registerUpCommand(program: Command, io: CliIo, setExitCode: (code: number) => void) {
  program
    .command('up')
    .description('migrate, then run api, mdm and worker together (what npm start does)')
    .action(async () => setExitCode(await up(io)));
}
