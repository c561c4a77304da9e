/**
 * Migration tooling: `generate <Name>` writes the migration that brings the committed schema up to
 * the entities; `check` fails when they differ (CI runs it); `run` applies pending migrations.
 * Generate and check work in a scratch database on the DATABASE_URL server, so they never touch data.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { loadConfig } from '#libs/config';
import { createDataSource } from '../data-source.js';
import { prepareDatabase } from '../prepare-database.js';
import { runMigrationsLocked } from '../database-bootstrap.js';

const SOURCE_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../../../libs/persistence/src/migrations',
);

async function withScratchDatabase<T>(databaseUrl: string, work: (url: string) => Promise<T>): Promise<T> {
  const name = `rempart_migrations_${randomBytes(4).toString('hex')}`;
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  await client.query(`CREATE DATABASE "${name}"`);
  try {
    const scratch = new URL(databaseUrl);
    scratch.pathname = `/${name}`;
    return await work(scratch.toString());
  } finally {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.end();
  }
}

/** The SQL that would bring a database with every committed migration up to the entities. */
async function pendingSchemaChanges(databaseUrl: string) {
  return withScratchDatabase(databaseUrl, async (url) => {
    const dataSource = createDataSource(url, 2);
    await dataSource.initialize();
    try {
      await runMigrationsLocked(dataSource);
      const sql = await dataSource.driver.createSchemaBuilder().log();
      return { up: sql.upQueries, down: sql.downQueries };
    } finally {
      await dataSource.destroy();
    }
  });
}

type Query = { query: string; parameters?: unknown[] };

function renderQuery(q: Query): string {
  const params = q.parameters?.length ? `, ${JSON.stringify(q.parameters)}` : '';
  return `    await queryRunner.query(\`${q.query.replace(/`/g, '\\`')}\`${params});`;
}

async function generate(name: string | undefined, databaseUrl: string): Promise<number> {
  if (!name || !/^[A-Z][A-Za-z0-9]*$/.test(name)) {
    console.error(
      'migration:generate needs a PascalCase name, e.g. npm run migration:generate -- AddDevices',
    );
    return 2;
  }
  const { up, down } = await pendingSchemaChanges(databaseUrl);
  if (up.length === 0) {
    console.log('No changes: the entities match the committed migrations.');
    return 0;
  }
  const timestamp = Date.now();
  const className = `${name}${timestamp}`;
  const fileBase = `${timestamp}-${name}`;
  const body = `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  public async up(queryRunner: QueryRunner): Promise<void> {
${up.map(renderQuery).join('\n')}
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
${[...down].reverse().map(renderQuery).join('\n')}
  }
}
`;
  await writeFile(path.join(SOURCE_DIR, `${fileBase}.ts`), body);
  const indexPath = path.join(SOURCE_DIR, 'index.ts');
  const index = await readFile(indexPath, 'utf8');
  const imports = [...index.matchAll(/^import \{ (\w+) \} from '\.\/([\w-]+)\.js';$/gm)].map((m) => ({
    cls: m[1],
    file: m[2],
  }));
  imports.push({ cls: className, file: fileBase });
  const rendered = `// Written by \`npm run migration:generate -- <Name>\`: every committed migration, oldest first.
${imports.map((i) => `import { ${i.cls} } from './${i.file}.js';`).join('\n')}

export const MIGRATIONS: Function[] = [${imports.map((i) => i.cls).join(', ')}];
`;
  await writeFile(indexPath, rendered);
  console.log(`Wrote libs/persistence/src/migrations/${fileBase}.ts (${up.length} statements)`);
  return 0;
}

async function check(databaseUrl: string): Promise<number> {
  const { up } = await pendingSchemaChanges(databaseUrl);
  if (up.length === 0) {
    console.log('migration:check: entities and migrations match.');
    return 0;
  }
  console.error(`migration:check: the entities differ from the migrations by ${up.length} statement(s):`);
  for (const q of up) console.error(`  ${q.query}`);
  console.error('Run: npm run migration:generate -- <Name>, review it and commit it.');
  return 1;
}

async function main(): Promise<number> {
  const [command, name] = process.argv.slice(2);
  const config = loadConfig();
  switch (command) {
    case 'generate':
      return generate(name, config.DATABASE_URL);
    case 'check':
      return check(config.DATABASE_URL);
    case 'run': {
      const { applied } = await prepareDatabase(config.DATABASE_URL);
      console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'No pending migrations.');
      return 0;
    }
    default:
      console.error('usage: migrations.js generate <Name> | check | run');
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`migrations: ${error.message}`);
    process.exit(1);
  },
);
