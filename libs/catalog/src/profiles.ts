import { existsSync, statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAppListYaml, type AppListOptions } from './app-list.js';
import { parseCatalogYaml } from './catalog.js';
import { CatalogError } from './catalog-error.js';
import type { AppList, Catalog } from './types.js';

export const PROFILES_DIR_NAME = 'profiles';
export const CATALOG_FILE_NAME = 'catalog.yaml';
export const LISTS_DIR_NAME = 'lists';

export interface FindProfilesDirOptions {
  /** Use this directory (absolute, or relative to the working directory); it must hold catalog.yaml. */
  explicitDir?: string;
  /** Where to start walking up: a file or directory path, or a file: URL. Defaults to this module. */
  from?: string | URL;
}

/**
 * Locates the repository's `profiles/` directory: the explicit directory when given, otherwise the first
 * `profiles/` holding `catalog.yaml` found walking up from `from` (this module by default, which works
 * both from libs/catalog/src/*.ts and from the built dist/libs/catalog/src/*.js). Throws CatalogError
 * PROFILES_NOT_FOUND.
 */
export function findProfilesDir(options: FindProfilesDirOptions = {}): string {
  if (options.explicitDir !== undefined) {
    const dir = resolve(options.explicitDir);
    if (!existsSync(join(dir, CATALOG_FILE_NAME))) {
      throw new CatalogError(
        'PROFILES_NOT_FOUND',
        `${dir}: not a profiles directory (no ${CATALOG_FILE_NAME} in it)`,
        { file: dir },
      );
    }
    return dir;
  }
  const from = options.from ?? import.meta.url;
  const start = toPath(from);
  let dir = isDirectory(start) ? start : dirname(start);
  for (;;) {
    const candidate = join(dir, PROFILES_DIR_NAME);
    if (existsSync(join(candidate, CATALOG_FILE_NAME))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new CatalogError(
    'PROFILES_NOT_FOUND',
    `no ${PROFILES_DIR_NAME}/${CATALOG_FILE_NAME} found in ${start} or any parent directory`,
    { file: start },
  );
}

export interface ShippedProfiles {
  /** Absolute path of the profiles directory that was read. */
  dir: string;
  catalog: Catalog;
  /** Every `lists/*.yaml`, sorted by slug. */
  lists: AppList[];
}

/**
 * Reads and validates `catalog.yaml` and every `lists/*.yaml` of a profiles directory (found with
 * `findProfilesDir` when not given). Shipped lists must have a description and sources, and each file
 * must be named after its slug. Throws CatalogError naming the file and field at fault.
 */
export async function loadShippedProfiles(dir?: string): Promise<ShippedProfiles> {
  const profilesDir = dir === undefined ? findProfilesDir() : findProfilesDir({ explicitDir: dir });
  const catalog = await readCatalogFile(join(profilesDir, CATALOG_FILE_NAME));

  const listsDir = join(profilesDir, LISTS_DIR_NAME);
  let names: string[] = [];
  if (existsSync(listsDir)) {
    try {
      names = (await readdir(listsDir)).filter((name) => name.endsWith('.yaml')).sort();
    } catch (e) {
      throw new CatalogError('READ_FAILED', `${label(listsDir)}: cannot read: ${(e as Error).message}`, {
        file: listsDir,
      });
    }
  }
  const lists: AppList[] = [];
  for (const name of names) {
    const file = join(listsDir, name);
    const list = await readAppListFile(file, catalog, { requireProvenance: true });
    const expected = name.slice(0, -'.yaml'.length);
    if (list.slug !== expected) {
      throw new CatalogError(
        'SLUG_FILE_MISMATCH',
        `${label(file)}: slug '${list.slug}' does not match the file name (expected slug '${expected}')`,
        { file: label(file), field: 'slug', slug: list.slug },
      );
    }
    lists.push(list);
  }
  lists.sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
  return { dir: profilesDir, catalog, lists };
}

/** Reads and validates a catalog file. Throws CatalogError. */
export async function readCatalogFile(file: string): Promise<Catalog> {
  return parseCatalogYaml(await readText(file), { file: label(file) });
}

/** Reads and validates one app list file (e.g. for `profile build --list <file>`). Throws CatalogError. */
export async function readAppListFile(
  file: string,
  catalog: Catalog,
  options: Omit<AppListOptions, 'file'> = {},
): Promise<AppList> {
  return parseAppListYaml(await readText(file), catalog, { ...options, file: label(file) });
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new CatalogError('READ_FAILED', `${label(file)}: cannot read: ${(e as Error).message}`, {
      file: label(file),
    });
  }
}

/** A path for messages: relative to the working directory when inside it, else absolute. */
function label(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

function toPath(from: string | URL): string {
  if (from instanceof URL) return fileURLToPath(from);
  return from.startsWith('file:') ? fileURLToPath(from) : resolve(from);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
