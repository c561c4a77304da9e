import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createApiApp } from '../../apps/api/src/api-app.js';
import { cli } from '../support/cli.js';
import { chainHash } from '#libs/audit';
import { type ApiHarness, type SeededTenant, startApi } from '../support/api-harness.js';
import { adminQuery, uniqueName } from '../support/test-environment.js';

/** The grants the README's "Database role and audit chain" section tells operators to give. */
const APP_ROLE_GRANTS = (role: string, database: string) => [
  `GRANT CONNECT ON DATABASE "${database}" TO ${role}`,
  `GRANT USAGE ON SCHEMA public TO ${role}`,
  `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`,
  `REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM ${role}`,
  `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${role}`,
];

describe('audit chain integrity against someone with database rights', () => {
  let api: ApiHarness;
  let dinum: SeededTenant;

  beforeAll(async () => {
    api = await startApi();
    dinum = await api.seedTenant('dinum');
    process.env.DATABASE_URL = api.config.DATABASE_URL;
    for (const slug of ['cabinet', 'prefecture', 'ambassade']) {
      await api
        .http()
        .post('/v1/groups')
        .set('Authorization', `Bearer ${dinum.tokens.officer}`)
        .send({ slug, name: slug })
        .expect(201);
    }
  });
  afterAll(async () => {
    delete process.env.DATABASE_URL;
    await api.close();
  });

  it('signs every event with an HMAC that the database does not hold', async () => {
    const rows = await api.sql(`SELECT mac FROM audit_events WHERE tenant_id = $1`, [dinum.id]);
    expect(rows.rowCount).toBeGreaterThan(3);
    expect(rows.rows.every((r: { mac: string | null }) => /^[0-9a-f]{64}$/.test(r.mac ?? ''))).toBe(true);
    expect(await cli('audit', 'verify', '--tenant', 'dinum')).toMatchObject({ code: 0 });
  });

  it('detects history rewritten by the owner with triggers off and every hash recomputed', async () => {
    // The attack the hash chain alone did not catch: as owner, replica mode skips the append-only
    // trigger; the attacker edits an event and recomputes its hash and every later link.
    const client = await api.sql(
      `SELECT id, tenant_id, seq, occurred_at, actor_id, actor_label, action, target_type, target_id,
              before, after, request_id, prev_hash, hash
       FROM audit_events WHERE tenant_id = $1 ORDER BY seq`,
      [dinum.id],
    );
    const events = client.rows;
    const target = events.findIndex((e: { action: string }) => e.action === 'group.create');
    let prevHash = events[target].prev_hash as string;
    const statements: string[] = ['BEGIN', `SET LOCAL session_replication_role = replica`];
    for (let i = target; i < events.length; i++) {
      const e = events[i];
      const after = i === target ? { slug: 'cabinet', name: 'nothing to see' } : e.after;
      const hash = chainHash({
        tenantId: e.tenant_id,
        seq: e.seq,
        occurredAt: e.occurred_at,
        actorId: e.actor_id,
        actorLabel: e.actor_label,
        action: e.action,
        targetType: e.target_type,
        targetId: e.target_id,
        before: e.before,
        after,
        requestId: e.request_id,
        prevHash,
      });
      statements.push(
        `UPDATE audit_events SET after = '${JSON.stringify(after)}'::jsonb, prev_hash = '${prevHash}', hash = '${hash}' WHERE id = ${e.id}`,
      );
      prevHash = hash;
    }
    statements.push('COMMIT');
    await api.sql(statements.join(';\n'));

    const result = await cli('audit', 'verify', '--tenant', 'dinum');
    expect(result.code).toBe(1);
    expect(result.err.join('\n')).toMatch(
      new RegExp(`broken at event ${events[target].seq}: MAC does not verify`),
    );
  });

  it('detects the same rewrite with the MACs removed', async () => {
    await api.sql(
      `BEGIN; SET LOCAL session_replication_role = replica; UPDATE audit_events SET mac = NULL WHERE tenant_id = '${dinum.id}'; COMMIT`,
    );
    const result = await cli('audit', 'verify', '--tenant', 'dinum');
    expect(result.code).toBe(1);
    expect(result.err.join('\n')).toMatch(/broken at event 1: the event has no MAC/);
  });
});

describe('the app running as a non-owner role with INSERT and SELECT only on audit_events', () => {
  let api: ApiHarness;
  let app: INestApplication;
  const role = uniqueName('rempart_app');
  let roleQuery: (sql: string) => Promise<unknown>;

  beforeAll(async () => {
    api = await startApi();
    const database = new URL(api.config.DATABASE_URL).pathname.slice(1);
    await adminQuery(`CREATE ROLE ${role} LOGIN`);
    for (const grant of APP_ROLE_GRANTS(role, database)) await api.sql(grant);
    const url = new URL(api.config.DATABASE_URL);
    url.username = role;
    const config = { ...api.config, DATABASE_URL: url.toString() };
    app = await createApiApp(config);
    await app.init();
    const pg = (await import('pg')).default;
    roleQuery = async (sql: string) => {
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      try {
        return await client.query(sql);
      } finally {
        await client.end();
      }
    };
  });
  afterAll(async () => {
    await app.close();
    await api.close();
    await adminQuery(`DROP ROLE IF EXISTS ${role}`);
  });

  it('serves officers and writes their audit events', async () => {
    const dinum = await api.seedTenant('dinum');
    const created = await request(app.getHttpServer())
      .post('/v1/groups')
      .set('Authorization', `Bearer ${dinum.tokens.officer}`)
      .send({ slug: 'cabinet', name: 'Cabinet' });
    expect(created.status).toBe(201);
    const events = await request(app.getHttpServer())
      .get('/v1/audit-events?action=group.create')
      .set('Authorization', `Bearer ${dinum.tokens.auditor}`);
    expect(events.body.items).toHaveLength(1);
  });

  it.each([
    ['UPDATE', `UPDATE audit_events SET action = 'x'`],
    ['DELETE', `DELETE FROM audit_events`],
    ['TRUNCATE', `TRUNCATE audit_events`],
    ['disable the trigger', `ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only`],
    ['replica mode', `SET session_replication_role = replica`],
  ])('cannot %s on audit_events', async (_what, sql) => {
    await expect(roleQuery(sql)).rejects.toThrow(/permission denied|must be owner/);
  });
});
