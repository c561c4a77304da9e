import { afterAll, describe, expect, it } from '@jest/globals';
import { MIGRATIONS, prepareDatabase } from '#libs/persistence';
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

  it('fails with one line naming PostgreSQL when the server is unreachable', async () => {
    await expect(prepareDatabase('postgres://postgres@127.0.0.1:1/rempart')).rejects.toThrow(
      /^PostgreSQL is not reachable at 127\.0\.0\.1:1 \(.*\); start it, e\.g\. pg_ctlcluster/,
    );
  });
});
