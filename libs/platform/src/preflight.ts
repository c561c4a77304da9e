import { ConfigError, loadConfig, type AppConfig } from '#libs/config';
import { DatabaseUnavailableError, prepareDatabase } from '#libs/persistence';
import { assertRedisReachable, RedisUnavailableError } from './redis.js';

/**
 * What every process does before Nest boots: validate the environment, reach PostgreSQL (creating
 * the database and applying migrations under a lock) and Redis. A failure exits the process with one
 * line saying what is wrong and how to fix it.
 */
export async function preflight(options: { migrate: boolean; redis: boolean }): Promise<AppConfig> {
  try {
    const config = loadConfig();
    // Loud on purpose: a development key in use must never go unnoticed on a real server.
    for (const notice of config.notices) process.stderr.write(`rempart: WARNING: ${notice}\n`);
    await prepareDatabase(config.DATABASE_URL, {
      skipMigrations: !options.migrate || config.DB_SKIP_MIGRATIONS,
    });
    if (options.redis) await assertRedisReachable(config.REDIS_URL);
    return config;
  } catch (error) {
    exitWithOneLine(error);
  }
}

const EXPECTED = [ConfigError, DatabaseUnavailableError, RedisUnavailableError];

export function exitWithOneLine(error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  const known = EXPECTED.some((type) => error instanceof type);
  process.stderr.write(
    `rempart: ${known ? message : `start-up failed: ${message}`}`.replace(/\n/g, ' ') + '\n',
  );
  process.exit(1);
}
