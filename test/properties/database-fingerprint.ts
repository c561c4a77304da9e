import type { TestEnvironment } from '../support/test-environment.js';

/**
 * Columns that record use rather than change: the officer's own token is stamped on every request
 * it authenticates, refused or not.
 */
const USE_STAMPS: Record<string, string[]> = { api_tokens: ['last_used_at'] };

/**
 * A digest of every row of every table of the test database (bar use stamps): equal before and after
 * a request means the request wrote nothing, whatever table it might have touched.
 */
export async function databaseFingerprint(sql: TestEnvironment['sql']): Promise<string> {
  const tables = await sql(
    `SELECT table_name FROM information_schema.tables
     WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
     ORDER BY table_name`,
  );
  const parts = tables.rows.map(({ table_name: table }: { table_name: string }) => {
    const ignored = (USE_STAMPS[table] ?? []).map((column) => `'${column}'`).join(', ');
    const row = ignored ? `(to_jsonb(x) - ARRAY[${ignored}]::text[])::text` : 'x::text';
    return `SELECT '${table}' AS t, md5(coalesce(string_agg(${row}, '|' ORDER BY ${row}), '')) AS h FROM "${table}" x`;
  });
  const result = await sql(parts.join(' UNION ALL '));
  return result.rows
    .map((row: { t: string; h: string }) => `${row.t}:${row.h}`)
    .sort()
    .join(',');
}
