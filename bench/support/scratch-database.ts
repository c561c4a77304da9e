import pg from 'pg';

/*
 * The database a benchmark runs on: its own, named after the bench and the process, on the server
 * the tests use (TEST_POSTGRES_URL), dropped at the end.
 */

export const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface ScratchDatabase {
  /** Also the Redis key prefix the bench uses. */
  name: string;
  url: string;
  /** Runs SQL on the server's maintenance database (CREATE/DROP DATABASE). */
  adminQuery: (sql: string, params?: unknown[]) => Promise<pg.QueryResult>;
  drop: () => Promise<void>;
}

export function scratchDatabase(bench: string): ScratchDatabase {
  const name = `rempart_bench_${bench}_${process.pid}`;
  const adminQuery = async (sql: string, params: unknown[] = []) => {
    const client = new pg.Client({ connectionString: ADMIN_URL });
    await client.connect();
    try {
      return await client.query(sql, params);
    } finally {
      await client.end();
    }
  };
  return {
    name,
    url: ADMIN_URL.replace(/\/[^/]*$/, `/${name}`),
    adminQuery,
    drop: async () => {
      await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}
