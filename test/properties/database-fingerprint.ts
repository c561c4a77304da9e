import type { TestEnvironment } from '../support/test-environment.js';

/**
 * A digest of every row of every table of the test database (bar the migrations list): equal
 * before and after a request means the request wrote nothing, whatever table it might have touched.
 */
export async function databaseFingerprint(sql: TestEnvironment['sql']): Promise<string> {
  const tables = await sql(
    `SELECT table_name FROM information_schema.tables
     WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'migrations'
     ORDER BY table_name`,
  );
  const parts = tables.rows.map(
    ({ table_name: table }: { table_name: string }) =>
      `SELECT '${table}' AS t, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h FROM "${table}" x`,
  );
  const result = await sql(parts.join(' UNION ALL '));
  return result.rows
    .map((row: { t: string; h: string }) => `${row.t}:${row.h}`)
    .sort()
    .join(',');
}
