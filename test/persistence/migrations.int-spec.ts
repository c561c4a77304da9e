import { afterAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { dataSourceOptions, ensureDatabase, MIGRATIONS, prepareDatabase } from '#libs/persistence';
import { adminQuery, databaseUrl, uniqueName } from '../support/test-environment.js';
import pg from 'pg';

describe('database preparation at start', () => {
  const created: string[] = [];
  afterAll(async () => {
    for (const name of created) await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });

  it('creates the database when it does not exist, then migrates it', async () => {
    const name = uniqueName('rempart_fresh');
    created.push(name);
    const result = await prepareDatabase(databaseUrl(name));
    expect(result.created).toBe('created');
    expect(result.applied).toHaveLength(MIGRATIONS.length);
    const again = await prepareDatabase(databaseUrl(name));
    expect(again).toEqual({ created: 'exists', applied: [] });
  });

  it('applies each migration exactly once when api, mdm and worker start together', async () => {
    const name = uniqueName('rempart_race');
    created.push(name);
    const results = await Promise.all([1, 2, 3].map(() => prepareDatabase(databaseUrl(name))));
    const applied = results.flatMap((r) => r.applied);
    expect(applied).toHaveLength(MIGRATIONS.length);
    expect(new Set(applied).size).toBe(MIGRATIONS.length);
    const client = new pg.Client({ connectionString: databaseUrl(name) });
    await client.connect();
    const rows = await client.query('SELECT count(*)::int AS n FROM typeorm_migrations');
    await client.end();
    expect(rows.rows[0].n).toBe(MIGRATIONS.length);
  });

  it('binds the certificates of devices enrolled before the certificate-binding migration to their UDID', async () => {
    const name = uniqueName('rempart_binding');
    created.push(name);
    const url = databaseUrl(name);
    await ensureDatabase(url);
    const binding = MIGRATIONS.findIndex(
      (m) => m.name === 'DeviceCertificateBindingAndRevocation1796124284003',
    );
    expect(binding).toBeGreaterThan(0);
    const before = new DataSource({ ...dataSourceOptions(url, 2), migrations: MIGRATIONS.slice(0, binding) });
    await before.initialize();
    await before.runMigrations();
    const tenantId = randomUUID();
    const certificate = 'a'.repeat(64);
    await before.query(
      `INSERT INTO scep_challenges (tenant_id, enrollment_id, challenge_hash, expires_at, consumed_at, issued_certificate_sha256)
       VALUES ($1, $2, $3, now(), now(), $4), ($1, $2, $5, now(), now(), $6)`,
      [tenantId, randomUUID(), 'c'.repeat(64), certificate, 'd'.repeat(64), 'b'.repeat(64)],
    );
    await before.query(
      `INSERT INTO devices (tenant_id, platform, group_id, udid, status, identity_certificate_sha256)
       VALUES ($1, 'ios', $2, 'UDID-ENROLLED', 'enrolled', $3)`,
      [tenantId, randomUUID(), certificate],
    );
    await before.destroy();

    await prepareDatabase(url);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const rows = await client.query(
      'SELECT issued_certificate_sha256 AS certificate, device_udid FROM scep_challenges ORDER BY 1',
    );
    await client.end();
    expect(rows.rows).toEqual([
      { certificate, device_udid: 'UDID-ENROLLED' },
      { certificate: 'b'.repeat(64), device_udid: null },
    ]);
  });

  it('fails with one line naming PostgreSQL when the server is unreachable', async () => {
    await expect(prepareDatabase('postgres://postgres@127.0.0.1:1/rempart')).rejects.toThrow(
      /^PostgreSQL is not reachable at 127\.0\.0\.1:1 \(.*\); start it, e\.g\. pg_ctlcluster/,
    );
  });
});
