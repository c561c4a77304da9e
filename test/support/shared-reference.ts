import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from this file's location (test/support/). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** shared/reference beside the repository, as developers and CI have it. */
export function sharedReference(...parts: string[]): string {
  const file = path.resolve(REPO_ROOT, '../shared/reference', ...parts);
  if (!existsSync(file))
    throw new Error(`reference material missing: ${file} (expected ../shared beside the repository)`);
  return file;
}

export function readDiscoveryDocument(): string {
  return readFileSync(sharedReference('android-management/androidmanagement.v1.json'), 'utf8');
}
