import { beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { buildDist } from '../support/processes.js';
import { adminQuery } from '../support/test-environment.js';
import { REPO_ROOT } from '../support/vendor.js';

const run = promisify(execFile);

/** A row of the demo's compliance table: "  stale  1  1  0  no check-in for over 24 h 1". */
function complianceRow(stdout: string, status: string) {
  const match = new RegExp(`^  ${status} +(\\d+) +(\\d+) +(\\d+)(?:  (.*))?$`, 'm').exec(stdout);
  if (!match) throw new Error(`no compliance row for ${status} in:\n${stdout}`);
  return { all: Number(match[1]), ios: Number(match[2]), android: Number(match[3]), reasons: match[4] ?? '' };
}

describe('npm run demo', () => {
  // The demo and the processes it starts run from dist/.
  beforeAll(() => buildDist(), 120_000);

  it('enrolls a mixed fleet (ADE, enrollment link, Android), rolls the French messaging ban out, shows every compliance status, and cleans up', async () => {
    const { stdout } = await run(process.execPath, [path.join(REPO_ROOT, 'dist/demo/demo.js')], {
      cwd: REPO_ROOT,
      env: { ...process.env, DEMO_DEVICES: '8', DEMO_TIMEOUT_SECONDS: '120' },
      timeout: 280_000,
    });
    // 8 phones: 4 supervised iPhones from ABM (one locked, one in a drawer), 2 personal iPhones (one
    // switched off before its first inventory), 2 Android phones (one keeps WhatsApp).
    expect(stdout).toMatch(
      /4 supervised iPhones from Apple Business Manager, 2 unsupervised iPhones, 2 Android phones/,
    );
    expect(stdout).toMatch(/4 iPhones synced and assigned the supervised, non-removable ADE profile/);
    expect(stdout).toMatch(/enrolled: 4 iPhones through Setup Assistant \(4 supervised, GET \/v1\/devices\)/);

    // Deliveries per platform: every reachable phone verified, the Android ones included; the two
    // switched-off iPhones and the locked one still waiting.
    expect(stdout).toMatch(/^ {2}verified +3 +2$/m);
    expect(stdout).toMatch(/^ {2}pushed +3 +0 {2}switched-off or locked iPhones/m);

    // Supervised iPhones cannot open WhatsApp; the Android phone that kept it can.
    expect(stdout).toMatch(/WhatsApp \(banned\)\s+installed on 1 \/ 0 \/ 1, opens on 0 \/ 0 \/ 1$/m);
    expect(stdout).toMatch(/Olvid \(approved\)\s+installed on 4 \/ 2 \/ 2, opens on 4 \/ 2 \/ 2$/m);

    expect(complianceRow(stdout, 'compliant')).toEqual({ all: 2, ios: 1, android: 1, reasons: '' });
    expect(complianceRow(stdout, 'non_compliant')).toEqual({
      all: 2,
      ios: 1,
      android: 1,
      reasons: 'WhatsApp installed 2',
    });
    expect(complianceRow(stdout, 'pending')).toEqual({
      all: 1,
      ios: 1,
      android: 0,
      reasons: 'rollout in flight 1',
    });
    expect(complianceRow(stdout, 'unenforceable')).toEqual({
      all: 1,
      ios: 1,
      android: 0,
      reasons: 'unsupervised iPhone (Apple ignores the block) 1',
    });
    expect(complianceRow(stdout, 'stale')).toEqual({
      all: 1,
      ios: 1,
      android: 0,
      reasons: 'no check-in for over 24 h 1',
    });
    expect(complianceRow(stdout, 'unknown')).toEqual({
      all: 1,
      ios: 1,
      android: 0,
      reasons: 'no app inventory yet 1',
    });

    // Nothing it started is left: its api no longer answers, its database is gone.
    const apiPort = /api :(\d+)/.exec(stdout)?.[1];
    await expect(fetch(`http://127.0.0.1:${apiPort}/readyz`)).rejects.toThrow();
    const database = /database (rempart_demo_\d+)/.exec(stdout)?.[1];
    expect(database).toBeDefined();
    const left = await adminQuery('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    expect(left.rowCount).toBe(0);
  }, 300_000);

  it('refuses a fleet too small to show every kind of phone, with one line', async () => {
    const failure = await run(process.execPath, [path.join(REPO_ROOT, 'dist/demo/demo.js')], {
      cwd: REPO_ROOT,
      env: { ...process.env, DEMO_DEVICES: '3' },
    }).catch((error: { code: number; stdout: string; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 2, stdout: '' });
    expect((failure as { stderr: string }).stderr).toBe(
      'demo: DEMO_DEVICES must be at least 7 (the mixed fleet needs that many)\n',
    );
  });
});
