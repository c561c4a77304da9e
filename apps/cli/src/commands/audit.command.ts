import type { Command } from 'commander';
import { AuditService } from '#libs/audit';
import { TenantsService } from '#libs/auth';
import { type CliIo, withDatabase } from '../cli-context.js';
import { CliFailure } from '../cli-failure.js';

export function registerAuditCommands(program: Command, io: CliIo) {
  const audit = program.command('audit').description('the tamper-evident audit log');
  audit
    .command('verify')
    .description("check a tenant's audit hash chain; exits 1 at the first broken link")
    .requiredOption('--tenant <slug>', 'tenant slug')
    .option(
      '--allow-unsigned-prefix',
      'accept events without a MAC at the start of the chain (written before audit MACs existed)',
    )
    .action(async (options: { tenant: string; allowUnsignedPrefix?: boolean }) => {
      const result = await withDatabase(async (app) => {
        const tenant = await app.get(TenantsService).getBySlug(options.tenant);
        return app.get(AuditService).verify(tenant.id, { allowUnsignedPrefix: options.allowUnsignedPrefix });
      });
      if (!result.ok) {
        throw new CliFailure(
          `audit chain of ${options.tenant} is broken at event ${result.brokenAt.seq}: ${result.brokenAt.reason} (${result.checked} events before it are intact)`,
        );
      }
      const legacy = result.unsigned > 0 ? `, the first ${result.unsigned} from before MACs existed` : '';
      io.out(`audit chain of ${options.tenant} is intact (${result.checked} events${legacy})`);
    });
}
