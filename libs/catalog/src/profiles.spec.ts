import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CatalogError } from './catalog-error.js';
import { findProfilesDir, loadShippedProfiles } from './profiles.js';

const CATALOG = `apps:
  - slug: whatsapp
    name: WhatsApp
    category: messaging
    android:
      - packageName: com.whatsapp
        verified: true
        sources: [UAD, SEC]
`;
const LIST = `slug: ban
name: Ban
kind: block
description: test list
sources: [test]
apps: [whatsapp]
`;

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'rempart-profiles-'));
  await mkdir(join(root, 'repo', 'profiles', 'lists'), { recursive: true });
  await mkdir(join(root, 'repo', 'dist', 'libs', 'catalog', 'src'), { recursive: true });
  await writeFile(join(root, 'repo', 'profiles', 'catalog.yaml'), CATALOG);
  await writeFile(join(root, 'repo', 'profiles', 'lists', 'ban.yaml'), LIST);
  await writeFile(join(root, 'repo', 'profiles', 'lists', 'README.md'), 'not a list');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<CatalogError> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(CatalogError);
    return e as CatalogError;
  }
  throw new Error('expected a CatalogError');
}

describe('findProfilesDir', () => {
  it('walks up from a built module URL (dist/libs/catalog/src/*.js) to the repo', () => {
    const from = pathToFileURL(join(root, 'repo', 'dist', 'libs', 'catalog', 'src', 'index.js'));
    expect(findProfilesDir({ from })).toBe(join(root, 'repo', 'profiles'));
    expect(findProfilesDir({ from: from.href })).toBe(join(root, 'repo', 'profiles'));
    expect(findProfilesDir({ from: join(root, 'repo', 'dist') })).toBe(join(root, 'repo', 'profiles'));
  });

  it('accepts an explicit directory and rejects one without catalog.yaml', () => {
    expect(findProfilesDir({ explicitDir: join(root, 'repo', 'profiles') })).toBe(
      join(root, 'repo', 'profiles'),
    );
    expect(() => findProfilesDir({ explicitDir: join(root, 'repo') })).toThrow(/not a profiles directory/);
  });

  it('fails with PROFILES_NOT_FOUND when no parent holds profiles/catalog.yaml', () => {
    try {
      findProfilesDir({ from: root });
      throw new Error('expected a CatalogError');
    } catch (e) {
      expect((e as CatalogError).code).toBe('PROFILES_NOT_FOUND');
    }
  });
});

describe('loadShippedProfiles', () => {
  it('reads the catalog and the *.yaml lists of a directory', async () => {
    const shipped = await loadShippedProfiles(join(root, 'repo', 'profiles'));
    expect(shipped.catalog.apps.map((a) => a.slug)).toEqual(['whatsapp']);
    expect(shipped.lists.map((l) => l.slug)).toEqual(['ban']);
  });

  it('names the file whose slug does not match its name', async () => {
    const dir = join(root, 'mismatch');
    await mkdir(join(dir, 'lists'), { recursive: true });
    await writeFile(join(dir, 'catalog.yaml'), CATALOG);
    await writeFile(join(dir, 'lists', 'other.yaml'), LIST);
    const error = await rejection(loadShippedProfiles(dir));
    expect(error.code).toBe('SLUG_FILE_MISMATCH');
    expect(error.message).toContain('other.yaml');
  });

  it('names the file and field of an invalid shipped list', async () => {
    const dir = join(root, 'invalid');
    await mkdir(join(dir, 'lists'), { recursive: true });
    await writeFile(join(dir, 'catalog.yaml'), CATALOG);
    await writeFile(join(dir, 'lists', 'ban.yaml'), LIST.replace('sources: [test]\n', ''));
    const error = await rejection(loadShippedProfiles(dir));
    expect(error.code).toBe('MISSING_FIELD');
    expect(error.message).toMatch(/lists\/ban\.yaml: sources \(list 'ban'\): is required$/);
  });
});
