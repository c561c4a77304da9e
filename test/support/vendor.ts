import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root, from this file's location: test/support/ in the sources, or
 * dist/test/support/ when a benchmark runs the compiled copy.
 */
function findRepoRoot(): string {
  let dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  while (!existsSync(path.join(dir, 'vendor')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

export const REPO_ROOT = findRepoRoot();

/** Apple's device-management schema, copied into vendor/ (see vendor/README.md). */
export const APPLE_SCHEMA_DIR = path.join(REPO_ROOT, 'vendor/apple-device-management');
export const APPLE_PROFILE_SCHEMA_DIR = path.join(APPLE_SCHEMA_DIR, 'mdm/profiles');

export function readDiscoveryDocument(): string {
  return readFileSync(path.join(REPO_ROOT, 'vendor/android-management/androidmanagement.v1.json'), 'utf8');
}
