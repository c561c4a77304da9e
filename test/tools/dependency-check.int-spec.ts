import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../support/vendor.js';

const run = promisify(execFile);
const script = path.join(REPO_ROOT, 'tools/check-dependencies.mjs');

/** Runs the lint's dependency check on a small tree of libraries written for the test. */
async function checkTree(files: Record<string, string>): Promise<{ code: number; stderr: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'rempart-deps-'));
  try {
    writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext' } }),
    );
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), text);
    }
    try {
      await run('node', [script, 'libs', 'apps'], { cwd: dir });
      return { code: 0, stderr: '' };
    } catch (error) {
      const failure = error as { code: number; stderr: string };
      return { code: failure.code, stderr: failure.stderr };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('npm run lint: dependency direction', () => {
  it('passes on the repository as it is', async () => {
    const { stdout } = await run('node', [script], { cwd: REPO_ROOT });
    expect(stdout).toContain('no cycle, no forbidden import');
  });

  it('fails on two libraries that import each other through different files', async () => {
    const result = await checkTree({
      'libs/audit/src/index.ts': "export { record } from './record.js';\n",
      'libs/audit/src/record.ts':
        "import { slug } from '../../catalog/src/index.js';\nexport const record = slug;\n",
      'libs/catalog/src/index.ts': "export { slug } from './slug.js';\nexport { check } from './check.js';\n",
      'libs/catalog/src/slug.ts': "export const slug = 'x';\n",
      'libs/catalog/src/check.ts':
        "import { record } from '../../audit/src/index.js';\nexport const check = record;\n",
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /library cycle: libs\/(audit -> libs\/catalog -> libs\/audit|catalog -> libs\/audit -> libs\/catalog)/,
    );
  });

  it('fails when a library imports an app, or the pure Apple library imports the database', async () => {
    const result = await checkTree({
      'apps/api/src/main.ts': 'export const port = 3000;\n',
      'libs/fleet/src/index.ts':
        "import { port } from '../../../apps/api/src/main.js';\nexport const p = port;\n",
      'libs/persistence/src/index.ts': 'export const db = 1;\n',
      'libs/apple/src/index.ts':
        "import { db } from '../../persistence/src/index.js';\nexport const d = db;\n",
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('library-imports-app: libs/fleet/src/index.ts -> apps/api/src/main.ts');
    expect(result.stderr).toContain(
      'pure-imports-database: libs/apple/src/index.ts -> libs/persistence/src/index.ts',
    );
  });
});
