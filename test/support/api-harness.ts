import type { INestApplication } from '@nestjs/common';
import { Writable } from 'node:stream';
import request from 'supertest';
import { createApiApp } from '../../apps/api/src/api-app.js';
import type { Actor } from '#libs/audit';
import { OfficersService, TenantsService } from '#libs/auth';
import type { OfficerRole } from '#libs/persistence';
import { createLogger } from '#libs/platform';
import { createTestEnvironment, type TestEnvironment } from './test-environment.js';

export interface SeededTenant {
  id: string;
  slug: string;
  tokens: Record<OfficerRole, string>;
  officerIds: Record<OfficerRole, string>;
}

export interface ApiHarness extends TestEnvironment {
  app: INestApplication;
  http: () => ReturnType<typeof request>;
  /** Every JSON log line the app wrote. */
  logs: Array<Record<string, unknown>>;
  seedTenant: (slug: string) => Promise<SeededTenant>;
  close: () => Promise<void>;
}

export interface HarnessOptions {
  /** `silent` for tests that send thousands of requests and read no log line (the properties). */
  logLevel?: 'info' | 'silent';
}

/** The officer API on a fresh database, with a log capture, driven through supertest. */
export async function startApi(
  env: Record<string, string> = {},
  options: HarnessOptions = {},
): Promise<ApiHarness> {
  const environment = await createTestEnvironment(env);
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) logs.push(JSON.parse(line));
      done();
    },
  });
  const logger = createLogger('api', options.logLevel ?? 'info', sink);
  const app = await createApiApp(environment.config, logger);
  await app.init();

  const seedTenant = async (slug: string): Promise<SeededTenant> => {
    const tenant = await app.get(TenantsService).create(slug, `Tenant ${slug}`, 'cli:test');
    const actor: Actor = { tenantId: tenant.id, officerId: null, label: 'cli:test' };
    const officers = app.get(OfficersService);
    const tokens = {} as Record<OfficerRole, string>;
    const officerIds = {} as Record<OfficerRole, string>;
    for (const role of ['admin', 'officer', 'auditor'] as const) {
      const officer = await officers.create(actor, `${role}@${slug}.gouv.fr`, role);
      officerIds[role] = officer.id;
      tokens[role] = (await officers.issueToken(actor, officer.id)).secret;
    }
    return { id: tenant.id, slug, tokens, officerIds };
  };

  return {
    ...environment,
    app,
    http: () => request(app.getHttpServer()),
    logs,
    seedTenant,
    close: async () => {
      await app.close();
      await environment.dispose();
    },
  };
}
