import { Document, Scalar } from 'yaml';
import { CatalogError } from './catalog-error.js';
import { isValidBundleId, isValidPackageName, isValidSlug } from './identifiers.js';
import { APP_LIST_KINDS, type AppList, type AppListKind, type Catalog } from './types.js';
import {
  child,
  closest,
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

const LIST_KEYS = [
  'slug',
  'name',
  'kind',
  'description',
  'sources',
  'effectiveAt',
  'apps',
  'bundleIds',
  'packageNames',
] as const;

export interface AppListOptions {
  /** File name used in error messages. */
  file?: string;
  /** Require `description` and a non-empty `sources` (shipped lists must say where they come from). */
  requireProvenance?: boolean;
}

/** Parses and validates one app list YAML (`profiles/lists/<slug>.yaml` format). Throws CatalogError. */
export function parseAppListYaml(text: string, catalog: Catalog, options: AppListOptions = {}): AppList {
  return validateAppList(parseYamlText(text, options.file), catalog, options);
}

/**
 * Validates an app list object, from YAML or from a `POST /v1/app-lists` body: known fields only, slug
 * kebab-case, kind block|allow, every app slug in the catalog, raw identifiers well-formed, no duplicates,
 * and not empty. Returns the normalized list (absent identifier arrays become []). Throws CatalogError.
 */
export function validateAppList(input: unknown, catalog: Catalog, options: AppListOptions = {}): AppList {
  const root: Where = { file: options.file, field: '' };
  const obj = expectObject(input, root, 'an app list mapping {slug, name, kind, apps}');
  if (isAbsent(obj.slug)) fail('MISSING_FIELD', child(root, 'slug'), 'is required');
  const slug = expectString(obj.slug, child(root, 'slug'));
  if (!isValidSlug(slug)) {
    fail('INVALID_SLUG', child(root, 'slug'), `'${slug}' is not a kebab-case slug (a-z, 0-9, '-')`, slug);
  }
  const where: Where = { ...root, slug, subject: 'list' };
  const required = options.requireProvenance ? ['name', 'kind', 'description', 'sources'] : ['name', 'kind'];
  expectKeys(obj, LIST_KEYS, required, where);

  const name = expectString(obj.name, child(where, 'name'));
  const kind = validateKind(obj.kind, child(where, 'kind'));
  const description = optionalString(obj.description, child(where, 'description'));
  const sources = isAbsent(obj.sources)
    ? undefined
    : expectStringList(obj.sources, child(where, 'sources'), { nonEmpty: !!options.requireProvenance });
  const effectiveAt = isAbsent(obj.effectiveAt)
    ? undefined
    : validateEffectiveAt(obj.effectiveAt, child(where, 'effectiveAt'));

  // Every bad entry of the three lists is reported at once, not the first one per attempt.
  const problems: CatalogError[] = [];
  const apps = uniqueStrings(obj.apps, child(where, 'apps'), 'app', problems, (value, w) => {
    if (!catalog.has(value)) {
      const hint = closest(
        value,
        catalog.apps.map((app) => app.slug),
      );
      fail(
        'UNKNOWN_APP',
        w,
        `'${value}' is not an app of the catalog${hint ? ` (did you mean '${hint}'?)` : ''}`,
        value,
      );
    }
  });
  const bundleIds = uniqueStrings(
    obj.bundleIds,
    child(where, 'bundleIds'),
    'bundle ID',
    problems,
    (value, w) => {
      if (!isValidBundleId(value)) {
        fail(
          'INVALID_BUNDLE_ID',
          w,
          `'${value}' is not a valid iOS bundle ID (reverse-DNS: 2+ segments of A-Z a-z 0-9 '-', at most 155 characters)`,
          value,
        );
      }
    },
  );
  const packageNames = uniqueStrings(
    obj.packageNames,
    child(where, 'packageNames'),
    'package name',
    problems,
    (value, w) => {
      if (!isValidPackageName(value)) {
        fail(
          'INVALID_PACKAGE_NAME',
          w,
          `'${value}' is not a valid Android package name (2+ segments, each a letter then letters, digits or '_')`,
          value,
        );
      }
    },
  );

  if (problems.length > 0) throw allProblems(problems);

  if (apps.length + bundleIds.length + packageNames.length === 0) {
    fail('EMPTY_LIST', where, 'the list is empty: give at least one of apps, bundleIds, packageNames');
  }

  const list: AppList = { slug, name, kind, apps, bundleIds, packageNames };
  if (description !== undefined) list.description = description;
  if (sources !== undefined) list.sources = sources;
  if (effectiveAt !== undefined) list.effectiveAt = effectiveAt;
  return list;
}

/**
 * Exports a list as YAML that `parseAppListYaml` reads back to an equal list. Key order follows the
 * shipped files; empty raw-identifier arrays are left out.
 */
export function serializeAppListYaml(list: AppList): string {
  const data: Record<string, unknown> = { slug: list.slug, name: list.name, kind: list.kind };
  if (list.description !== undefined) data.description = list.description;
  if (list.sources !== undefined) data.sources = [...list.sources];
  if (list.effectiveAt !== undefined) data.effectiveAt = list.effectiveAt;
  data.apps = [...list.apps];
  if (list.bundleIds.length > 0) data.bundleIds = [...list.bundleIds];
  if (list.packageNames.length > 0) data.packageNames = [...list.packageNames];

  const doc = new Document(data);
  doc.commentBefore = ` Rempart app list '${list.slug}' (format: profiles/catalog.yaml header, libs/catalog).`;
  // Quote the date so that YAML 1.1 readers do not turn it into a timestamp.
  const effectiveAt = doc.get('effectiveAt', true);
  if (effectiveAt instanceof Scalar) effectiveAt.type = Scalar.QUOTE_SINGLE;
  return doc.toString({ lineWidth: 110 });
}

function validateKind(value: unknown, where: Where): AppListKind {
  if (typeof value !== 'string' || !(APP_LIST_KINDS as readonly string[]).includes(value)) {
    const got = typeof value === 'string' ? `'${value}'` : typeName(value);
    fail('INVALID_KIND', where, `${got} is not a list kind (one of: ${APP_LIST_KINDS.join(', ')})`);
  }
  return value as AppListKind;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function validateEffectiveAt(value: unknown, where: Where): string {
  if (typeof value !== 'string') {
    fail('INVALID_DATE', where, `must be an ISO-8601 date string (YYYY-MM-DD), got ${typeName(value)}`);
  }
  const match = ISO_DATE.exec(value) ?? ISO_DATE_TIME.exec(value);
  const valid =
    match !== null &&
    !Number.isNaN(Date.parse(value)) &&
    // Reject dates that Date.parse rolls over (2023-02-30).
    new Date(Date.UTC(+match[1], +match[2] - 1, +match[3])).toISOString().slice(0, 10) ===
      `${match[1]}-${match[2]}-${match[3]}`;
  if (!valid) {
    fail(
      'INVALID_DATE',
      where,
      `'${value}' is not an ISO-8601 date (YYYY-MM-DD) or date-time with offset`,
      value,
    );
  }
  return value;
}

/** The valid entries of a list; each bad entry's error goes to `problems`. */
function uniqueStrings(
  value: unknown,
  where: Where,
  what: string,
  problems: CatalogError[],
  check: (value: string, where: Where) => void,
): string[] {
  const seen = new Set<string>();
  const valid: string[] = [];
  optionalArray(value, where).forEach((entry, i) => {
    const w = item(where, i);
    try {
      const s = expectString(entry, w);
      check(s, w);
      if (seen.has(s)) fail('DUPLICATE_ENTRY', w, `${what} '${s}' is listed twice`, s);
      seen.add(s);
      valid.push(s);
    } catch (error) {
      if (!(error instanceof CatalogError)) throw error;
      problems.push(error);
    }
  });
  return valid;
}

/** One error naming every bad entry; its code and details are the first one's. */
function allProblems(problems: CatalogError[]): CatalogError {
  const [first] = problems;
  if (problems.length === 1) return first;
  return new CatalogError(first.code, problems.map((problem) => problem.message).join('; '), {
    file: first.file,
    field: first.field,
    slug: first.slug,
    identifier: first.identifier,
  });
}
