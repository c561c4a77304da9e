import { type Command, InvalidArgumentError, Option } from 'commander';
import { OfficersService, TenantsService } from '#libs/auth';
import { OFFICER_ROLES, type OfficerRole } from '#libs/persistence';
import { type CliIo, operatorLabel, withDatabase } from '../cli-context.js';
import { CliFailure } from '../cli-failure.js';

/** `officer token` exit statuses other than 0, 1 (unknown tenant, bad input) and 2 (usage). */
export const OFFICER_NOT_FOUND_EXIT = 3;
export const OFFICER_DISABLED_EXIT = 4;

function parseDays(value: string): number {
  const days = Number(value);
  if (!/^\d+$/.test(value) || days < 1 || days > 3650)
    throw new InvalidArgumentError('must be a whole number of days between 1 and 3650');
  return days;
}

export function registerOfficerCommands(program: Command, io: CliIo) {
  const officer = program.command('officer').description('manage officers');
  officer
    .command('create')
    .description('create an officer and print a new bearer token alone on the last line')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .requiredOption('--email <email>', 'officer e-mail')
    .addOption(new Option('--role <role>', 'role').choices(OFFICER_ROLES).makeOptionMandatory())
    .option('--expires-in-days <days>', 'token lifetime (default TOKEN_TTL_DAYS)', parseDays)
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
  officer
    .command('token')
    .description(
      'issue a new bearer token for an existing officer (the way back in when a token is lost) and print it alone on the last line',
    )
    .requiredOption('--tenant <slug>', 'tenant slug')
    .requiredOption('--email <email>', 'officer e-mail')
    .option('--expires-in-days <days>', 'token lifetime (default TOKEN_TTL_DAYS)', parseDays)
    .action(async (options: { tenant: string; email: string; expiresInDays?: number }) => {
      const { officer: found, secret } = await withDatabase(async (app) => {
        const tenant = await app.get(TenantsService).getBySlug(options.tenant);
        const officers = app.get(OfficersService);
        const officer = await officers.findByEmail(tenant.id, options.email);
        if (!officer) {
          throw new CliFailure(
            `no officer ${JSON.stringify(options.email)} in tenant ${options.tenant} ` +
              `(\`officer list --tenant ${options.tenant}\` shows who exists; \`officer create\` adds one)`,
            OFFICER_NOT_FOUND_EXIT,
          );
        }
        if (officer.disabledAt) {
          throw new CliFailure(
            `officer ${officer.email} of tenant ${options.tenant} is disabled since ` +
              `${officer.disabledAt.toISOString()}; no token is issued to a disabled officer`,
            OFFICER_DISABLED_EXIT,
          );
        }
        const actor = { tenantId: tenant.id, officerId: null, label: operatorLabel() };
        const issued = await officers.issueToken(actor, officer.id, {
          label: 'cli',
          expiresInDays: options.expiresInDays,
        });
        return { officer, secret: issued.secret };
      });
      io.out(
        `new bearer token for officer ${found.email} (${found.role}) of tenant ${options.tenant}; ` +
          'earlier tokens stay valid until revoked (DELETE /v1/tokens/{id}) or expired:',
      );
      io.out(secret);
    });
  officer
    .command('list')
    .description('list the officers of a tenant: e-mail, role, disabled since, created (tab-separated)')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .action(async (options: { tenant: string }) => {
      const officers = await withDatabase(async (app) => {
        const tenant = await app.get(TenantsService).getBySlug(options.tenant);
        return app.get(OfficersService).list(tenant.id);
      });
      io.out(['email', 'role', 'disabled', 'created'].join('\t'));
      for (const o of officers) {
        io.out([o.email, o.role, o.disabledAt?.toISOString() ?? 'no', o.createdAt.toISOString()].join('\t'));
      }
    });
}
