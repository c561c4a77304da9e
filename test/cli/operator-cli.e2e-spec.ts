import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createApiApp } from '../../apps/api/src/api-app.js';
import type { INestApplication } from '@nestjs/common';
import { runCli } from '../../apps/cli/src/program.js';
import { createTestEnvironment, type TestEnvironment } from '../support/test-environment.js';

describe('operator CLI: tenant create and officer create', () => {
  let env: TestEnvironment;
  let api: INestApplication;

  async function cli(...argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out, err };
  }

  beforeAll(async () => {
    env = await createTestEnvironment();
    process.env.DATABASE_URL = env.config.DATABASE_URL;
    api = await createApiApp(env.config);
    await api.init();
  });
  afterAll(async () => {
    delete process.env.DATABASE_URL;
    await api.close();
    await env.dispose();
  });

  it('creates a tenant and an officer whose token, alone on the last line, reads the audit log', async () => {
    const tenant = await cli(
      'tenant',
      'create',
      'dinum',
      '--name',
      'Direction interministérielle du numérique',
    );
    expect(tenant).toMatchObject({ code: 0, err: [] });
    const officer = await cli(
      'officer',
      'create',
      '--tenant',
      'dinum',
      '--email',
      'rssi@dinum.gouv.fr',
      '--role',
      'admin',
    );
    expect(officer.code).toBe(0);
    const token = officer.out[officer.out.length - 1];
    expect(token).toMatch(/^rmp_[A-Za-z0-9_-]{43}$/);
    const events = await request(api.getHttpServer())
      .get('/v1/audit-events')
      .set('Authorization', `Bearer ${token}`);
    expect(events.status).toBe(200);
    expect(events.body.items.map((e: { action: string }) => e.action)).toEqual([
      'token.create',
      'officer.create',
      'tenant.create',
    ]);
    expect(events.body.items[2].actor.label).toMatch(/^cli:/);
  });

  it.each([
    [['tenant', 'create', 'dinum', '--name', 'Encore'], /tenant "dinum" already exists/],
    [['tenant', 'create', 'Bad Slug', '--name', 'X'], /must be lower-case letters, digits and dashes/],
    [
      ['officer', 'create', '--tenant', 'nobody', '--email', 'a@b.fr', '--role', 'admin'],
      /tenant "nobody" was not found/,
    ],
    [
      ['officer', 'create', '--tenant', 'dinum', '--email', 'not-an-email', '--role', 'admin'],
      /is not an e-mail address/,
    ],
    [
      ['officer', 'create', '--tenant', 'dinum', '--email', 'rssi@dinum.gouv.fr', '--role', 'auditor'],
      /already exists/,
    ],
  ])('refuses %j with one line on stderr and a non-zero status', async (argv, message) => {
    const result = await cli(...argv);
    expect(result.code).not.toBe(0);
    expect(result.err).toHaveLength(1);
    expect(result.err[0]).toMatch(message);
  });

  it('refuses an unknown role before touching the database', async () => {
    const result = await cli(
      'officer',
      'create',
      '--tenant',
      'dinum',
      '--email',
      'x@dinum.gouv.fr',
      '--role',
      'root',
    );
    expect(result.code).toBe(2);
    expect(result.err.join(' ')).toMatch(/Allowed choices are admin, officer, auditor/);
    expect((await env.sql(`SELECT 1 FROM officers WHERE email = 'x@dinum.gouv.fr'`)).rowCount).toBe(0);
  });

  it('says in one line that PostgreSQL is unreachable', async () => {
    const saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL = 'postgres://postgres@127.0.0.1:1/rempart';
    try {
      const result = await cli('tenant', 'list');
      expect(result.code).toBe(1);
      expect(result.err).toHaveLength(1);
      expect(result.err[0]).toMatch(/PostgreSQL is not reachable at 127\.0\.0\.1:1 .*start it/);
    } finally {
      process.env.DATABASE_URL = saved;
    }
  });
});
