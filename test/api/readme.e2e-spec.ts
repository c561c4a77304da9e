import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { runCli } from '../../apps/cli/src/program.js';
import { EnvironmentVariables } from '#libs/config';
import { type ApiHarness, startApi } from '../support/api-harness.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The text of one `## title` section of the README. */
function section(title: string): string {
  const start = README.indexOf(`\n## ${title}\n`);
  expect(start).toBeGreaterThan(-1);
  const end = README.indexOf('\n## ', start + 1);
  return README.slice(start, end === -1 ? undefined : end);
}

/** The commands a commander help text lists (`help` aside). */
async function commandsOf(argv: string[]): Promise<string[]> {
  const lines: string[] = [];
  await runCli([...argv, '--help'], { out: (line) => lines.push(line), err: (line) => lines.push(line) });
  const help = lines.join('\n').split('\n');
  const from = help.findIndex((line) => line.startsWith('Commands:'));
  if (from === -1) return [];
  return help
    .slice(from + 1)
    .map((line) => /^ {2}(\S+)/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined && name !== 'help');
}

/** A new officer learns Rempart from the README: it must name everything there is. */
describe('the README', () => {
  let api: ApiHarness;
  let operations: string[];

  beforeAll(async () => {
    api = await startApi();
    const document = (await api.http().get('/docs/openapi.json').expect(200)).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
  });
  afterAll(() => api.close());

  it('lists every route of the OpenAPI document in its API table, and no route that does not exist', () => {
    const table = section('API overview');
    expect(operations.filter((route) => !table.includes(`\`${route}\``))).toEqual([]);
    const listed = [
      ...table.matchAll(/`((?:GET|POST|PUT|PATCH|DELETE) \/(?:v1\/|healthz|readyz)[^`]*)`/g),
    ].map((match) => match[1]);
    expect(listed.filter((route) => !operations.includes(route))).toEqual([]);
  });

  it('has one separator row per table in the API and configuration sections', () => {
    for (const title of ['API overview', 'Configuration']) {
      const rows = section(title).split('\n');
      const separators = rows.filter((row) => /^\|\s*-{3,}\s*\|/.test(row));
      const headers = rows.filter((row, i) => row.startsWith('|') && !rows[i - 1]?.startsWith('|'));
      expect(separators.length).toBe(headers.length);
    }
  });

  it('lists every environment variable of libs/config in its configuration table', () => {
    const table = section('Configuration');
    const variables = [...Object.keys(new EnvironmentVariables()), 'REMPART_MASTER_KEY', 'AUDIT_HMAC_KEY'];
    expect(variables.length).toBeGreaterThan(30);
    expect(variables.filter((name) => !table.includes(`\`${name}\``))).toEqual([]);
  });

  it('lists every CLI command in its CLI table', async () => {
    const table = section('CLI');
    const commands: string[] = [];
    for (const command of await commandsOf([])) {
      const subcommands = await commandsOf([command]);
      if (subcommands.length === 0) commands.push(command);
      else commands.push(...subcommands.map((sub) => `${command} ${sub}`));
    }
    expect(commands).toEqual(expect.arrayContaining(['profile build', 'officer create', 'up']));
    expect(commands.filter((command) => !table.includes(`| \`${command}`))).toEqual([]);
  });
});
