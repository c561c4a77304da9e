import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type AppConfig, loadConfig } from '#libs/config';
import { prepareDatabase } from '#libs/persistence';

/** The PostgreSQL server and Redis the tests use: the local ones unless TEST_* variables say otherwise. */
export const TEST_POSTGRES_URL =
  process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

export function databaseUrl(name: string): string {
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Runs SQL on the server's maintenance database (create/drop databases). */
export async function adminQuery(sql: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

export interface TestEnvironment {
  config: AppConfig;
  /** Raw SQL on this test file's database. */
  sql: (text: string, params?: unknown[]) => Promise<pg.QueryResult>;
  dispose: () => Promise<void>;
}

/**
 * One database (migrated) and one Redis key prefix per test file, so that files can run in
 * parallel without seeing each other's data.
 */
export async function createTestEnvironment(env: Record<string, string> = {}): Promise<TestEnvironment> {
  const name = uniqueName('rempart_test');
  const url = databaseUrl(name);
  await prepareDatabase(url);
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: url,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: name,
    // test/support/push-certificate.ts makes its own push certificates (Apple's CA is out of reach).
    APNS_ALLOW_UNTRUSTED_PUSH_CERTIFICATES: 'true',
    ...env,
  });
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  // pool.end() resolves before its clients' sockets have closed, so the DROP ... WITH (FORCE) in
  // dispose() can terminate one of them; without a listener that FATAL message is an uncaught error
  // that fails whichever test is running. Query errors still reach the caller through the promise.
  pool.on('error', () => undefined);
  return {
    config,
    sql: (text, params = []) => pool.query(text, params),
    dispose: async () => {
      await pool.end();
      await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}
