import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { buildDist } from '../support/processes.js';
import { adminQuery } from '../support/test-environment.js';
import { REPO_ROOT } from '../support/vendor.js';

const run = promisify(execFile);

describe('npm run demo', () => {
  it('enrolls a small simulated fleet, rolls the French messaging ban out to every phone, and cleans up', async () => {
    buildDist();
    const { stdout } = await run(process.execPath, [path.join(REPO_ROOT, 'dist/demo/demo.js')], {
      cwd: REPO_ROOT,
      env: { ...process.env, DEMO_DEVICES: '8', DEMO_TIMEOUT_SECONDS: '120' },
      timeout: 240_000,
    });
    expect(stdout).toMatch(/verified\s+8\n/);
    expect(stdout).toMatch(/WhatsApp \(banned\)\s+installed on \d+ \/ \d+, opens on 0 \/ /);
    expect(stdout).toMatch(/Olvid \(approved\)\s+installed on 6 \/ 2, opens on 6 \/ 2/);
    expect(stdout).toMatch(/compliance \(GET \/v1\/compliance\/summary\):/);
    const database = /database (rempart_demo_\d+)/.exec(stdout)?.[1];
    expect(database).toBeDefined();
    const left = await adminQuery('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    expect(left.rowCount).toBe(0);
  }, 300_000);
});
