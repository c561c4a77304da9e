import { isValidBundleId, isValidPackageName, isValidSlug } from './identifiers.js';
import {
  APP_CATEGORIES,
  type AndroidIdentifier,
  type AppCategory,
  type Catalog,
  type CatalogApp,
  type IosIdentifier,
} from './types.js';
import {
  child,
  expectBoolean,
  expectKeys,
  expectObject,
  expectString,
  expectStringList,
  fail,
  isAbsent,
  item,
  optionalArray,
  optionalString,
  parseYamlText,
  typeName,
  type Where,
} from './validate.js';

const CATALOG_KEYS = ['apps'] as const;
const APP_KEYS = ['slug', 'name', 'category', 'notes', 'ios', 'android'] as const;
const IOS_KEYS = ['bundleId', 'trackId', 'trackIdVerified', 'verified', 'sources', 'variant'] as const;
const ANDROID_KEYS = ['packageName', 'verified', 'sources', 'variant'] as const;

export interface ParseOptions {
  /** File name used in error messages. */
  file?: string;
}

/** Parses and validates the catalog YAML (`profiles/catalog.yaml` format). Throws CatalogError. */
export function parseCatalogYaml(text: string, options: ParseOptions = {}): Catalog {
  return validateCatalog(parseYamlText(text, options.file), options);
}

/** Validates catalog apps built elsewhere (e.g. read back from the database). Throws CatalogError. */
export function createCatalog(apps: readonly CatalogApp[], options: ParseOptions = {}): Catalog {
  return validateCatalog({ apps }, options);
}

/** Validates a parsed catalog document `{apps: [...]}`. Throws CatalogError. */
export function validateCatalog(input: unknown, options: ParseOptions = {}): Catalog {
  const root: Where = { file: options.file, field: '' };
  const doc = expectObject(input, root, 'a mapping with an `apps` list');
  expectKeys(doc, CATALOG_KEYS, CATALOG_KEYS, root);
  const rawApps = optionalArray(doc.apps, child(root, 'apps'));

  const apps: CatalogApp[] = [];
  const slugIndex = new Map<string, number>();
  // iOS duplicates are detected case-insensitively: two entries differing only in case are a mistake.
  const bundleOwners = new Map<string, { slug: string; bundleId: string }>();
  const packageOwners = new Map<string, string>();
  const trackOwners = new Map<number, string>();

  rawApps.forEach((raw, i) => {
    const where = item(child(root, 'apps'), i);
    const app = validateApp(raw, where);
    const appWhere: Where = { ...where, slug: app.slug, subject: 'app' };

    const previous = slugIndex.get(app.slug);
    if (previous !== undefined) {
      fail('DUPLICATE_SLUG', appWhere, `slug '${app.slug}' is already used by apps[${previous}]`, app.slug);
    }
    slugIndex.set(app.slug, i);

    app.ios.forEach((ios, j) => {
      const w = item(child(appWhere, 'ios'), j);
      const owner = bundleOwners.get(ios.bundleId.toLowerCase());
      if (owner) {
        const same = owner.bundleId === ios.bundleId ? '' : ` (as '${owner.bundleId}')`;
        const who = owner.slug === app.slug ? 'this app' : `app '${owner.slug}'`;
        fail(
          'DUPLICATE_IDENTIFIER',
          child(w, 'bundleId'),
          `iOS bundle ID '${ios.bundleId}' is already listed under ${who}${same}`,
          ios.bundleId,
        );
      }
      bundleOwners.set(ios.bundleId.toLowerCase(), { slug: app.slug, bundleId: ios.bundleId });
      if (ios.trackId !== undefined) {
        const trackOwner = trackOwners.get(ios.trackId);
        if (trackOwner !== undefined) {
          fail(
            'DUPLICATE_TRACK_ID',
            child(w, 'trackId'),
            `App Store track ID ${ios.trackId} is already listed under app '${trackOwner}'`,
            String(ios.trackId),
          );
        }
        trackOwners.set(ios.trackId, app.slug);
      }
    });

    app.android.forEach((android, j) => {
      const w = item(child(appWhere, 'android'), j);
      const owner = packageOwners.get(android.packageName);
      if (owner !== undefined) {
        const who = owner === app.slug ? 'this app' : `app '${owner}'`;
        fail(
          'DUPLICATE_IDENTIFIER',
          child(w, 'packageName'),
          `Android package '${android.packageName}' is already listed under ${who}`,
          android.packageName,
        );
      }
      packageOwners.set(android.packageName, app.slug);
    });

    apps.push(app);
  });

  return buildCatalog(apps);
}

function validateApp(raw: unknown, where: Where): CatalogApp {
  const obj = expectObject(raw, where, 'an app mapping');
  if (isAbsent(obj.slug)) fail('MISSING_FIELD', child(where, 'slug'), 'is required');
  const slug = expectString(obj.slug, child(where, 'slug'));
  if (!isValidSlug(slug)) {
    fail('INVALID_SLUG', child(where, 'slug'), `'${slug}' is not a kebab-case slug (a-z, 0-9, '-')`, slug);
  }
  const w: Where = { ...where, slug, subject: 'app' };
  expectKeys(obj, APP_KEYS, ['name', 'category'], w);

  const name = expectString(obj.name, child(w, 'name'));
  const category = validateCategory(obj.category, child(w, 'category'));
  const notes = optionalString(obj.notes, child(w, 'notes'));
  const ios = optionalArray(obj.ios, child(w, 'ios')).map((entry, i) =>
    validateIos(entry, item(child(w, 'ios'), i)),
  );
  const android = optionalArray(obj.android, child(w, 'android')).map((entry, i) =>
    validateAndroid(entry, item(child(w, 'android'), i)),
  );

  const app: CatalogApp = { slug, name, category, ios, android };
  if (notes !== undefined) app.notes = notes;
  return app;
}

function validateCategory(value: unknown, where: Where): AppCategory {
  if (typeof value !== 'string' || !(APP_CATEGORIES as readonly string[]).includes(value)) {
    const got = typeof value === 'string' ? `'${value}'` : typeName(value);
    fail('INVALID_CATEGORY', where, `${got} is not a category (one of: ${APP_CATEGORIES.join(', ')})`);
  }
  return value as AppCategory;
}

function validateIos(raw: unknown, where: Where): IosIdentifier {
  const obj = expectObject(raw, where, 'an iOS identifier mapping {bundleId, verified, sources}');
  expectKeys(obj, IOS_KEYS, ['bundleId', 'verified', 'sources'], where);
  const bundleId = expectString(obj.bundleId, child(where, 'bundleId'));
  if (!isValidBundleId(bundleId)) {
    fail(
      'INVALID_BUNDLE_ID',
      child(where, 'bundleId'),
      `'${bundleId}' is not a valid iOS bundle ID (reverse-DNS: 2+ segments of A-Z a-z 0-9 '-', at most 155 characters)`,
      bundleId,
    );
  }
  const entry: IosIdentifier = {
    bundleId,
    verified: expectBoolean(obj.verified, child(where, 'verified')),
    sources: expectStringList(obj.sources, child(where, 'sources'), { nonEmpty: true }),
  };
  if (!isAbsent(obj.trackId)) {
    entry.trackId = validateTrackId(obj.trackId, child(where, 'trackId'));
    if (isAbsent(obj.trackIdVerified)) {
      fail('MISSING_FIELD', child(where, 'trackIdVerified'), 'is required when trackId is given');
    }
    entry.trackIdVerified = expectBoolean(obj.trackIdVerified, child(where, 'trackIdVerified'));
  } else if (!isAbsent(obj.trackIdVerified)) {
    fail('INVALID_FIELD', child(where, 'trackIdVerified'), 'is only allowed together with trackId');
  }
  const variant = optionalString(obj.variant, child(where, 'variant'));
  if (variant !== undefined) entry.variant = variant;
  return entry;
}

function validateTrackId(value: unknown, where: Where): number {
  // Accept digit strings too: PostgreSQL bigint columns come back as strings.
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n <= 0) {
    fail('INVALID_TRACK_ID', where, `${typeName(value)} is not an App Store track ID (a positive integer)`);
  }
  return n;
}

function validateAndroid(raw: unknown, where: Where): AndroidIdentifier {
  const obj = expectObject(raw, where, 'an Android identifier mapping {packageName, verified, sources}');
  expectKeys(obj, ANDROID_KEYS, ['packageName', 'verified', 'sources'], where);
  const packageName = expectString(obj.packageName, child(where, 'packageName'));
  if (!isValidPackageName(packageName)) {
    fail(
      'INVALID_PACKAGE_NAME',
      child(where, 'packageName'),
      `'${packageName}' is not a valid Android package name (2+ segments, each a letter then letters, digits or '_')`,
      packageName,
    );
  }
  const entry: AndroidIdentifier = {
    packageName,
    verified: expectBoolean(obj.verified, child(where, 'verified')),
    sources: expectStringList(obj.sources, child(where, 'sources'), { nonEmpty: true }),
  };
  const variant = optionalString(obj.variant, child(where, 'variant'));
  if (variant !== undefined) entry.variant = variant;
  return entry;
}

function buildCatalog(apps: CatalogApp[]): Catalog {
  const bySlug = new Map(apps.map((app) => [app.slug, app]));
  const byBundleId = new Map<string, CatalogApp>();
  const byPackageName = new Map<string, CatalogApp>();
  for (const app of apps) {
    for (const ios of app.ios) byBundleId.set(ios.bundleId, app);
    for (const android of app.android) byPackageName.set(android.packageName, app);
  }
  return {
    apps,
    app: (slug) => bySlug.get(slug),
    has: (slug) => bySlug.has(slug),
    appForBundleId: (bundleId) => byBundleId.get(bundleId),
    appForPackageName: (packageName) => byPackageName.get(packageName),
  };
}
