import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { userInfo } from 'node:os';
import { loadConfig } from '#libs/config';
import { prepareDatabase } from '#libs/persistence';
import { CliModule } from './cli.module.js';

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** Boots the database-backed part of the CLI for one command, and closes it afterwards. */
export async function withDatabase<T>(work: (app: INestApplicationContext) => Promise<T>): Promise<T> {
  const config = loadConfig();
  await prepareDatabase(config.DATABASE_URL, { skipMigrations: config.DB_SKIP_MIGRATIONS });
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(config), {
    logger: false,
    abortOnError: false,
  });
  try {
    return await work(app);
  } finally {
    await app.close();
  }
}

export function operatorLabel(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (containers): keep "unknown"
  }
  return `cli:${user}`;
}
