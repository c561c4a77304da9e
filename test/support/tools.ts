import { spawnSync } from 'node:child_process';

/** The Debian package of each outside tool the tests run (.ci/run installs them). */
const DEBIAN_PACKAGE = {
  openssl: 'openssl',
  plistutil: 'libplist-utils',
  scepclient: 'scep',
  chromium: 'chromium',
} as const;

export type TestTool = keyof typeof DEBIAN_PACKAGE;

const present = new Set<TestTool>();

/**
 * Fails the calling test with one line naming the missing tool: a test that checks our output with a
 * real outside implementation must not pass (or skip) quietly where that implementation is absent.
 */
export function requireTool(tool: TestTool): void {
  if (present.has(tool)) return;
  if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
    throw new Error(
      `${tool} is not installed: apt-get install ${DEBIAN_PACKAGE[tool]} (.ci/run installs it)`,
    );
  }
  present.add(tool);
}
