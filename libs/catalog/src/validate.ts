import { parseDocument } from 'yaml';
import { CatalogError, type CatalogErrorCode } from './catalog-error.js';

/** Where a value sits: file, field path, and the app or list it belongs to (for messages). */
export interface Where {
  file?: string;
  field: string;
  /** Slug of the app or list the field belongs to. */
  slug?: string;
  /** "app" or "list", to word messages. */
  subject?: 'app' | 'list';
}

export function child(where: Where, key: string): Where {
  return { ...where, field: where.field ? `${where.field}.${key}` : key };
}

export function item(where: Where, index: number): Where {
  return { ...where, field: `${where.field}[${index}]` };
}

export function describeWhere(where: Where): string {
  const parts: string[] = [];
  if (where.file) parts.push(where.file);
  let field = where.field;
  if (where.slug !== undefined)
    field = `${field}${field ? ' ' : ''}(${where.subject ?? 'slug'} '${where.slug}')`;
  if (field) parts.push(field);
  return parts.join(': ');
}

export function fail(code: CatalogErrorCode, where: Where, detail: string, identifier?: string): never {
  const prefix = describeWhere(where);
  throw new CatalogError(code, prefix ? `${prefix}: ${detail}` : detail, {
    file: where.file,
    field: where.field || undefined,
    slug: where.slug,
    identifier,
  });
}

/** YAML 1.2 (core schema: `2023-03-24` stays a string, `yes` is not a boolean); duplicate keys are errors. */
export function parseYamlText(text: string, file?: string): unknown {
  const where: Where = { file, field: '' };
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  const error = doc.errors[0];
  if (error) {
    const pos = error.linePos?.[0];
    const at = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
    // The first line of a pretty error repeats the position; keep the reason only.
    const reason = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    fail('YAML_SYNTAX', where, `malformed YAML${at}: ${reason}`);
  }
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    fail('YAML_SYNTAX', where, `malformed YAML: ${(e as Error).message}`);
  }
}

export function isAbsent(value: unknown): value is undefined | null {
  return value === undefined || value === null;
}

export function expectObject(value: unknown, where: Where, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail('INVALID_DOCUMENT', where, `expected ${what}, got ${typeName(value)}`);
  }
  return value as Record<string, unknown>;
}

export function expectKeys(
  obj: Record<string, unknown>,
  allowed: readonly string[],
  required: readonly string[],
  where: Where,
): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      fail('UNKNOWN_FIELD', child(where, key), `unknown field (allowed: ${allowed.join(', ')})`);
    }
  }
  for (const key of required) {
    if (isAbsent(obj[key])) fail('MISSING_FIELD', child(where, key), 'is required');
  }
}

export function expectString(value: unknown, where: Where): string {
  if (typeof value !== 'string') fail('INVALID_FIELD', where, `must be a string, got ${typeName(value)}`);
  if (value.trim() === '') fail('INVALID_FIELD', where, 'must not be empty');
  return value;
}

export function optionalString(value: unknown, where: Where): string | undefined {
  return isAbsent(value) ? undefined : expectString(value, where);
}

export function expectBoolean(value: unknown, where: Where): boolean {
  if (typeof value !== 'boolean') {
    fail('INVALID_FIELD', where, `must be true or false, got ${typeName(value)}`);
  }
  return value;
}

export function expectArray(value: unknown, where: Where): unknown[] {
  if (!Array.isArray(value)) fail('INVALID_FIELD', where, `must be a list, got ${typeName(value)}`);
  return value;
}

export function optionalArray(value: unknown, where: Where): unknown[] {
  return isAbsent(value) ? [] : expectArray(value, where);
}

export function expectStringList(value: unknown, where: Where, options: { nonEmpty: boolean }): string[] {
  const list = expectArray(value, where);
  if (options.nonEmpty && list.length === 0) fail('INVALID_FIELD', where, 'must list at least one entry');
  return list.map((entry, i) => expectString(entry, item(where, i)));
}

export function typeName(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a date (quote it as a string)';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** Closest candidate within a small edit distance, for "did you mean" hints. */
export function closest(value: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(value.length / 3)) + 1;
  for (const candidate of candidates) {
    const d = editDistance(value, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}
