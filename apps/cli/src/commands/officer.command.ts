import { type Command, Option } from 'commander';
import { OfficersService, TenantsService } from '#libs/auth';
import { OFFICER_ROLES, type OfficerRole } from '#libs/persistence';
import { type CliIo, operatorLabel, withDatabase } from '../cli-context.js';

export function registerOfficerCommands(program: Command, io: CliIo) {
  const officer = program.command('officer').description('manage officers');
  officer
    .command('create')
    .description('create an officer and print a new bearer token alone on the last line')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .requiredOption('--email <email>', 'officer e-mail')
    .addOption(new Option('--role <role>', 'role').choices(OFFICER_ROLES).makeOptionMandatory())
    .option('--expires-in-days <days>', 'token lifetime (default TOKEN_TTL_DAYS)', (v) => Number(v))
    .action(async (options: { tenant: string; email: string; role: OfficerRole; expiresInDays?: number }) => {
      const { officer: created, secret } = await withDatabase(async (app) => {
        const tenant = await app.get(TenantsService).getBySlug(options.tenant);
        const actor = { tenantId: tenant.id, officerId: null, label: operatorLabel() };
        const officers = app.get(OfficersService);
        const officer = await officers.create(actor, options.email, options.role);
        const issued = await officers.issueToken(actor, officer.id, {
          label: 'cli',
          expiresInDays: options.expiresInDays,
        });
        return { officer, secret: issued.secret };
      });
      io.out(`officer ${created.email} (${created.role}) created in tenant ${options.tenant}; bearer token:`);
      io.out(secret);
    });
}
