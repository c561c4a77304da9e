import { Command, CommanderError } from 'commander';
import { AndroidPolicyCompileError } from '#libs/android';
import { PlistError, RestrictionsProfileError, SigningIdentityError } from '#libs/apple';
import { CatalogError } from '#libs/catalog';
import { ConfigError } from '#libs/config';
import { DatabaseUnavailableError } from '#libs/persistence';
import { DomainException, RedisUnavailableError } from '#libs/platform';
import { PolicyError } from '#libs/policy';
import type { CliIo } from './cli-context.js';
import { CliFailure } from './cli-failure.js';
import { registerAuditCommands } from './commands/audit.command.js';
import { registerOfficerCommands } from './commands/officer.command.js';
import { registerProfileCommands } from './commands/profile.command.js';
import { registerTenantCommands } from './commands/tenant.command.js';
import { registerUpCommand } from './commands/up.command.js';
import { rempartVersion } from './version.js';

const EXPECTED_FAILURES = [
  CliFailure,
  DomainException,
  ConfigError,
  DatabaseUnavailableError,
  RedisUnavailableError,
  CatalogError,
  PolicyError,
  SigningIdentityError,
  RestrictionsProfileError,
  AndroidPolicyCompileError,
  PlistError,
];

/** Runs one CLI invocation; returns its exit status. Output goes through `io` so tests can read it. */
export async function runCli(
  argv: string[],
  io: CliIo,
  writeStdout: (bytes: Buffer) => void = (bytes) => process.stdout.write(bytes),
): Promise<number> {
  let exitCode = 0;
  const program = new Command('rempart')
    .description('Rempart operator CLI')
    .version(rempartVersion(), '-V, --version', 'print the Rempart version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  registerUpCommand(program, io, (code) => (exitCode = code));
  registerTenantCommands(program, io);
  registerOfficerCommands(program, io);
  registerAuditCommands(program, io);
  registerProfileCommands(program, io, writeStdout);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    const message = error instanceof Error ? error.message : String(error);
    if (EXPECTED_FAILURES.some((type) => error instanceof type)) {
      io.err(`rempart: ${message}`.replace(/\n/g, ' '));
      return error instanceof CliFailure ? error.exitCode : 1;
    }
    io.err(`rempart: unexpected failure: ${message}`.replace(/\n/g, ' '));
    return 1;
  }
}
