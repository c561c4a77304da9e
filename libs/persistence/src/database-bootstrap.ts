import pg from 'pg';
import type { DataSource } from 'typeorm';

/** Arbitrary constant shared by every Rempart process: the advisory lock that serialises migrations. */
const MIGRATION_LOCK_KEY = 0x52454d50; // "REMP"

export class DatabaseUnavailableError extends Error {
  override readonly name = 'DatabaseUnavailableError';
}

function describeTarget(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  return `${url.hostname}:${url.port || '5432'}`;
}

function databaseName(databaseUrl: string): string {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''));
  if (!name) throw new DatabaseUnavailableError('DATABASE_URL names no database');
  return name;
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Creates the database named in DATABASE_URL when it does not exist and the role may create it.
 * Throws a DatabaseUnavailableError whose message is one line an operator can act on.
 */
export async function ensureDatabase(databaseUrl: string): Promise<'created' | 'exists'> {
  const name = databaseName(databaseUrl);
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    throw new DatabaseUnavailableError(
      `PostgreSQL is not reachable at ${describeTarget(databaseUrl)} (${(error as Error).message}); ` +
        'start it, e.g. pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
    );
  }
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return 'exists';
    try {
      await client.query(`CREATE DATABASE ${quoteIdentifier(name)}`);
      return 'created';
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === '42P04' || code === '23505') return 'exists'; // another process created it first
      throw new DatabaseUnavailableError(
        `Database "${name}" does not exist and could not be created (${(error as Error).message})`,
      );
    }
  } finally {
    await client.end();
  }
}

/**
 * Applies pending migrations under a PostgreSQL advisory lock, so that api, mdm and worker processes
 * starting together apply each migration exactly once. Returns the names of the migrations applied.
 */
/** The data source needs a pool of at least two: one connection holds the lock, another migrates. */
export async function runMigrationsLocked(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await runner.release();
  }
}
