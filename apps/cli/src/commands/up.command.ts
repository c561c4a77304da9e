import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { loadShippedProfiles } from '#libs/catalog';
import { isListeningMessage, preflight } from '#libs/platform';
import type { CliIo } from '../cli-context.js';

const PROCESSES = ['api', 'mdm', 'worker'] as const;

/**
 * `npm start`: prepares the database once (migrations), then runs api, mdm and worker as child
 * processes and stops them together. SIGTERM/SIGINT stop all three gracefully; if one dies, the
 * others are stopped and the command exits non-zero. Says where each process listens once it does
 * (each child tells over the fork IPC channel), and when all have stopped.
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
  let stopCode = 0;

  const exitCode = await new Promise<number>((resolve) => {
    const stopAll = (code: number) => {
      if (!stopping) {
        stopping = true;
        stopCode = code;
        for (const child of children.values()) if (child.exitCode === null) child.kill('SIGTERM');
      }
      if ([...children.values()].every((c) => c.exitCode !== null || c.signalCode !== null))
        resolve(stopCode);
    };
    const listening = new Set<string>();
    for (const name of PROCESSES) {
      const entry = fileURLToPath(new URL(`../../../${name}/src/main.js`, import.meta.url));
      const child = fork(entry, [], {
        env: { ...process.env, DB_SKIP_MIGRATIONS: 'true' },
        stdio: 'inherit',
      });
      children.set(name, child);
      child.on('message', (message) => {
        if (!isListeningMessage(message) || listening.has(message.process)) return;
        listening.add(message.process);
        io.err(`rempart: ${message.process} started: ${message.summary}`);
        if (listening.size === PROCESSES.length)
          io.err(
            `rempart: ${PROCESSES.join(', ')} running after ${Date.now() - started} ms; Ctrl-C or SIGTERM stops them`,
          );
      });
      child.on('exit', (code, signal) => {
        if (!stopping) io.err(`rempart: ${name} exited (${signal ?? `code ${code}`}); stopping the others`);
        stopAll(stopping ? stopCode : 1);
      });
    }
    const onSignal = (signal: NodeJS.Signals) => {
      if (!stopping) io.err(`rempart: ${signal} received; stopping ${PROCESSES.join(', ')}`);
      stopAll(0);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  io.err(`rempart: ${PROCESSES.join(', ')} stopped${exitCode === 0 ? '' : ` (exit status ${exitCode})`}`);
  return exitCode;
}

export function registerUpCommand(program: Command, io: CliIo, setExitCode: (code: number) => void) {
  program
    .command('up')
    .description('migrate, then run api, mdm and worker together (what npm start does)')
    .action(async () => setExitCode(await up(io)));
}
