import { createDataSource } from './data-source.js';
import { ensureDatabase, runMigrationsLocked } from './database-bootstrap.js';

/** Run by every process before it boots: creates the database if needed and applies migrations. */
export async function prepareDatabase(databaseUrl: string, options: { skipMigrations?: boolean } = {}) {
  const created = await ensureDatabase(databaseUrl);
  if (options.skipMigrations) return { created, applied: [] as string[] };
  const dataSource = createDataSource(databaseUrl, 2);
  await dataSource.initialize();
  try {
    return { created, applied: await runMigrationsLocked(dataSource) };
  } finally {
    await dataSource.destroy();
  }
}
