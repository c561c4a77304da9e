import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createApiApp } from '../../apps/api/src/api-app.js';
import type { INestApplication } from '@nestjs/common';
import { cli } from '../support/cli.js';
import { createTestEnvironment, type TestEnvironment } from '../support/test-environment.js';
import { REPO_ROOT } from '../support/vendor.js';

describe('operator CLI: tenants and officers', () => {
  let env: TestEnvironment;
  let api: INestApplication;

  const lastLine = (lines: string[]) => lines[lines.length - 1];
  const auditActions = async (token: string) => {
    const events = await request(api.getHttpServer())
      .get('/v1/audit-events')
      .set('Authorization', `Bearer ${token}`);
    expect(events.status).toBe(200);
    return events.body.items as Array<{ action: string; actor: { label: string } }>;
  };

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

  describe('officer token: the way back in when a token is lost', () => {
    let adminToken: string;

    beforeAll(async () => {
      expect(await cli('tenant', 'create', 'sgdsn', '--name', 'SGDSN')).toMatchObject({ code: 0 });
      const admin = await cli(
        'officer',
        'create',
        '--tenant',
        'sgdsn',
        '--email',
        'admin@sgdsn.gouv.fr',
        '--role',
        'admin',
      );
      expect(admin.code).toBe(0);
      adminToken = lastLine(admin.out);
    });

    it('issues a new token, alone on the last line, that authenticates; the old one still works and the issue is audited', async () => {
      const issued = await cli('officer', 'token', '--tenant', 'sgdsn', '--email', 'Admin@SGDSN.gouv.fr');
      expect(issued).toMatchObject({ code: 0, err: [] });
      const token = lastLine(issued.out);
      expect(token).toMatch(/^rmp_[A-Za-z0-9_-]{43}$/);
      expect(token).not.toBe(adminToken);
      const events = await auditActions(token);
      expect(events[0]).toMatchObject({
        action: 'token.create',
        actor: { label: expect.stringMatching(/^cli:/) },
      });
      expect(events.filter((e) => e.action === 'token.create')).toHaveLength(2);
      expect((await auditActions(adminToken)).length).toBeGreaterThan(0);
    });

    it('names the officer it does not know, says how to find who exists, and exits 3', async () => {
      const result = await cli('officer', 'token', '--tenant', 'sgdsn', '--email', 'nobody@sgdsn.gouv.fr');
      expect(result.code).toBe(3);
      expect(result.out).toEqual([]);
      expect(result.err).toEqual([
        expect.stringMatching(
          /no officer "nobody@sgdsn\.gouv\.fr" in tenant sgdsn .*officer list --tenant sgdsn/,
        ),
      ]);
    });

    it('refuses a disabled officer with one line and exit status 4, issuing nothing', async () => {
      const created = await cli(
        'officer',
        'create',
        '--tenant',
        'sgdsn',
        '--email',
        'parti@sgdsn.gouv.fr',
        '--role',
        'officer',
      );
      expect(created.code).toBe(0);
      // As DELETE /v1/officers/{id} leaves it.
      await env.sql(`UPDATE officers SET disabled_at = now() WHERE email = 'parti@sgdsn.gouv.fr'`);
      const tokensBefore = await env.sql('SELECT count(*)::int AS n FROM api_tokens');

      const result = await cli('officer', 'token', '--tenant', 'sgdsn', '--email', 'parti@sgdsn.gouv.fr');
      expect(result.code).toBe(4);
      expect(result.out).toEqual([]);
      expect(result.err).toEqual([
        expect.stringMatching(/officer parti@sgdsn\.gouv\.fr of tenant sgdsn is disabled since 20\d\d-/),
      ]);
      expect((await env.sql('SELECT count(*)::int AS n FROM api_tokens')).rows).toEqual(tokensBefore.rows);
    });

    it('refuses an unknown tenant with one line naming it', async () => {
      const result = await cli('officer', 'token', '--tenant', 'nowhere', '--email', 'admin@sgdsn.gouv.fr');
      expect(result.code).toBe(1);
      expect(result.err).toEqual([expect.stringMatching(/tenant "nowhere" was not found/)]);
    });

    it('lists the officers of a tenant with e-mail, role, disabled and created, tab-separated', async () => {
      const result = await cli('officer', 'list', '--tenant', 'sgdsn');
      expect(result).toMatchObject({ code: 0, err: [] });
      const [header, ...rows] = result.out.map((line) => line.split('\t'));
      expect(header).toEqual(['email', 'role', 'disabled', 'created']);
      const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
      expect(rows).toEqual([
        ['admin@sgdsn.gouv.fr', 'admin', 'no', expect.stringMatching(iso)],
        ['parti@sgdsn.gouv.fr', 'officer', expect.stringMatching(iso), expect.stringMatching(iso)],
      ]);
    });
  });

  it('prints the version of package.json with --version', async () => {
    const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(await cli('--version')).toMatchObject({ code: 0, out: [manifest.version], err: [] });
  });

  it.each([
    [['officer', 'token', '--email', 'a@b.fr'], /required option '--tenant <slug>' not specified/],
    [['officer', 'token', '--tenant', 'dinum'], /required option '--email <email>' not specified/],
    [['officer', 'list'], /required option '--tenant <slug>' not specified/],
    [['officer', 'create', '--tenant', 'dinum', '--email', 'a@b.fr'], /required option '--role <role>'/],
    [['tenant', 'create', '--name', 'X'], /missing required argument 'slug'/],
    [['tenant', 'create', 'x', '--name'], /option '--name <name>' argument missing/],
    [
      ['officer', 'token', '--tenant', 'dinum', '--email', 'a@b.fr', '--expires-in-days', 'ten'],
      /'--expires-in-days <days>' argument 'ten' is invalid\. must be a whole number of days/,
    ],
  ])('names what is missing or wrong in %j: one line, exit status 2', async (argv, message) => {
    const result = await cli(...argv);
    expect(result.code).toBe(2);
    expect(result.out).toEqual([]);
    expect(result.err).toEqual([expect.stringMatching(message)]);
    expect(result.err[0]).not.toContain('\n');
  });
});
