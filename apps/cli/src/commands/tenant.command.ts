import type { Command } from 'commander';
import { TenantsService } from '#libs/auth';
import { type CliIo, operatorLabel, withDatabase } from '../cli-context.js';

export function registerTenantCommands(program: Command, io: CliIo) {
  const tenant = program.command('tenant').description('manage tenants (organisations)');
  tenant
    .command('create <slug>')
    .description('create a tenant')
    .requiredOption('--name <name>', 'display name')
    .action(async (slug: string, options: { name: string }) => {
      const created = await withDatabase((app) =>
        app.get(TenantsService).create(slug, options.name, operatorLabel()),
      );
      io.out(`tenant ${created.slug} created (${created.id})`);
    });
  tenant
    .command('list')
    .description('list tenants')
    .action(async () => {
      const tenants = await withDatabase((app) => app.get(TenantsService).list());
      for (const t of tenants) io.out(`${t.slug}\t${t.name}`);
    });
}
