import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { PlistDict, PlistValue } from '../plist/plist-codec.js';

/*
 * Checks configuration profiles against Apple's own schema: the YAML files of apple/device-management
 * (`mdm/profiles/*.yaml`; format in its docs/schema.md). For a profile (PayloadType Configuration)
 * it checks the top-level keys against TopLevel.yaml and every item of PayloadContent against its
 * payload type's file plus CommonPayloadKeys.yaml:
 *   errors:   unknown payload type, missing required key, wrong value type, value outside `rangelist`,
 *             duplicate PayloadIdentifier / PayloadUUID;
 *   warnings: unknown key, key deprecated / removed / not supported on the platform;
 *   info:     key or payload that needs a supervised device (`supportedOS.<os>.supervised: true`).
 * Per docs/schema.md, a key inherits its payload's `supportedOS` values and overrides some of them;
 * nested keys inherit from their parent key the same way.
 */

export type ApplePlatform = 'iOS' | 'macOS' | 'tvOS' | 'visionOS' | 'watchOS';

type OsSupport = {
  introduced?: string;
  deprecated?: string;
  removed?: string;
  supervised?: boolean;
  [field: string]: unknown;
};

export interface AppleSchemaKey {
  key: string;
  title?: string;
  type: string;
  presence?: 'required' | 'optional';
  rangelist?: unknown[];
  supportedOS?: Partial<Record<ApplePlatform, OsSupport>>;
  subkeys?: AppleSchemaKey[];
}

export interface AppleProfileSchema {
  payloadtype: string;
  title: string;
  supportedOS: Partial<Record<ApplePlatform, OsSupport>>;
  payloadkeys: AppleSchemaKey[];
  files: string[];
}

export interface AppleProfileSchemas {
  dir: string;
  topLevel: AppleProfileSchema;
  common: AppleProfileSchema;
  /** Payload schemas by PayloadType (TopLevel and CommonPayloadKeys excluded). */
  payloadTypes: ReadonlyMap<string, AppleProfileSchema>;
}

export type SchemaIssueSeverity = 'error' | 'warning' | 'info';
export type SchemaIssueCode =
  | 'NOT_A_DICTIONARY'
  | 'UNKNOWN_PAYLOAD_TYPE'
  | 'MISSING_REQUIRED_KEY'
  | 'WRONG_TYPE'
  | 'NOT_IN_RANGELIST'
  | 'DUPLICATE_IDENTIFIER'
  | 'UNKNOWN_KEY'
  | 'DEPRECATED'
  | 'UNSUPPORTED_ON_PLATFORM'
  | 'NEEDS_SUPERVISION';

export interface SchemaIssue {
  severity: SchemaIssueSeverity;
  code: SchemaIssueCode;
  /** Where, e.g. `PayloadContent[0].blockedAppBundleIDs`. `$` is the profile itself. */
  path: string;
  message: string;
}

export interface SchemaValidationResult {
  /** True when there is no error (warnings and info do not count). */
  valid: boolean;
  issues: SchemaIssue[];
  errors: SchemaIssue[];
  warnings: SchemaIssue[];
  info: SchemaIssue[];
}

export interface SchemaValidationOptions {
  /** The platform whose `supportedOS` entry applies. Default iOS. */
  platform?: ApplePlatform;
}

const cache = new Map<string, AppleProfileSchemas>();

/**
 * Loads every profile schema in `dir` (Apple's `mdm/profiles`, or the repository root that
 * contains it). Parsed once per directory and cached.
 */
export function loadAppleProfileSchemas(dir: string): AppleProfileSchemas {
  let profilesDir = path.resolve(dir);
  if (!readdirSync(profilesDir).includes('TopLevel.yaml'))
    profilesDir = path.join(profilesDir, 'mdm', 'profiles');
  const cached = cache.get(profilesDir);
  if (cached) return cached;

  const byType = new Map<string, AppleProfileSchema>();
  for (const file of readdirSync(profilesDir)
    .filter((name) => name.endsWith('.yaml'))
    .sort()) {
    const doc = parse(readFileSync(path.join(profilesDir, file), 'utf8')) as {
      title?: string;
      payload?: { payloadtype?: string; supportedOS?: AppleProfileSchema['supportedOS'] };
      payloadkeys?: AppleSchemaKey[];
    } | null;
    const payloadtype = doc?.payload?.payloadtype;
    if (!doc || typeof payloadtype !== 'string') continue;
    const existing = byType.get(payloadtype);
    if (existing) {
      // Several files describe one type (com.apple.MCX is split by topic): their keys add up.
      const known = new Set(existing.payloadkeys.map((k) => k.key));
      existing.payloadkeys.push(...(doc.payloadkeys ?? []).filter((k) => !known.has(k.key)));
      existing.files.push(file);
    } else {
      byType.set(payloadtype, {
        payloadtype,
        title: doc.title ?? payloadtype,
        supportedOS: doc.payload?.supportedOS ?? {},
        payloadkeys: [...(doc.payloadkeys ?? [])],
        files: [file],
      });
    }
  }
  const topLevel = byType.get('TopLevel');
  const common = byType.get('CommonPayloadKeys');
  if (!topLevel || !common) {
    throw new Error(
      `${profilesDir} does not look like Apple's mdm/profiles schema directory (TopLevel.yaml / CommonPayloadKeys.yaml missing)`,
    );
  }
  byType.delete('TopLevel');
  byType.delete('CommonPayloadKeys');
  const schemas: AppleProfileSchemas = { dir: profilesDir, topLevel, common, payloadTypes: byType };
  cache.set(profilesDir, schemas);
  return schemas;
}

function isDict(value: PlistValue | undefined): value is PlistDict {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Date) &&
    !(value instanceof Uint8Array)
  );
}

function describeValue(value: PlistValue): string {
  if (Array.isArray(value)) return 'array';
  if (value instanceof Date) return 'date';
  if (value instanceof Uint8Array) return 'data';
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'real';
  if (typeof value === 'object') return 'dictionary';
  return typeof value;
}

/** Whether a plist value has the type an Apple schema YAML names (`<string>`, `<array>`, ...). */
export function typeMatches(type: string, value: PlistValue): boolean {
  switch (type) {
    case '<string>':
      return typeof value === 'string';
    case '<integer>':
      return typeof value === 'number' && Number.isInteger(value);
    case '<real>':
      return typeof value === 'number';
    case '<boolean>':
      return typeof value === 'boolean';
    case '<date>':
      return value instanceof Date;
    case '<data>':
      return value instanceof Uint8Array;
    case '<array>':
      return Array.isArray(value);
    case '<dictionary>':
      return isDict(value);
    default:
      return true; // <any>, or a type this validator does not know: not checked.
  }
}

class Validator {
  readonly issues: SchemaIssue[] = [];
  constructor(
    private readonly schemas: AppleProfileSchemas,
    private readonly platform: ApplePlatform,
  ) {}

  report(severity: SchemaIssueSeverity, code: SchemaIssueCode, where: string, message: string): void {
    this.issues.push({ severity, code, path: where, message });
  }

  private support(
    parent: OsSupport,
    def: { supportedOS?: Partial<Record<ApplePlatform, OsSupport>> },
  ): OsSupport {
    return { ...parent, ...(def.supportedOS?.[this.platform] ?? {}) };
  }

  /** Reports platform support of a key whose effective support is `own` (inherited from `parent`). */
  private checkSupport(where: string, name: string, parent: OsSupport, own: OsSupport): void {
    const os = this.platform;
    if (own.introduced === 'n/a' && parent.introduced !== 'n/a') {
      this.report('warning', 'UNSUPPORTED_ON_PLATFORM', where, `${name} is not supported on ${os}`);
      return;
    }
    if (own.removed !== undefined && own.removed !== parent.removed) {
      this.report('warning', 'DEPRECATED', where, `${name} was removed in ${os} ${own.removed}`);
    } else if (own.deprecated !== undefined && own.deprecated !== parent.deprecated) {
      this.report('warning', 'DEPRECATED', where, `${name} is deprecated since ${os} ${own.deprecated}`);
    }
    if (own.supervised === true && parent.supervised !== true) {
      this.report(
        'info',
        'NEEDS_SUPERVISION',
        where,
        `${name} needs a supervised device on ${os} (introduced ${own.introduced ?? 'in the first version'}); unsupervised devices ignore it`,
      );
    }
  }

  /** Checks the keys of a dictionary against `defs`. */
  checkDict(
    dict: PlistDict,
    defs: AppleSchemaKey[],
    where: string,
    parent: OsSupport,
    special?: (key: string) => boolean,
  ): void {
    const byName = new Map(defs.map((def) => [def.key, def]));
    const any = byName.get('ANY');
    for (const [key, value] of Object.entries(dict)) {
      const at = where === '$' ? key : `${where}.${key}`;
      if (special?.(key)) continue;
      const def = byName.get(key) ?? any;
      if (def === undefined) {
        this.report(
          'warning',
          'UNKNOWN_KEY',
          at,
          `${key} is not a key of this dictionary in Apple's schema (typo, or newer than the schema?)`,
        );
        continue;
      }
      const own = this.support(parent, def);
      if (def !== any) this.checkSupport(at, key, parent, own);
      this.checkValue(value, def, at, own);
    }
    for (const def of defs) {
      if (def.presence !== 'required' || def.key === 'ANY' || def.key in dict) continue;
      if (this.support(parent, def).introduced === 'n/a') continue;
      if (special?.(def.key)) continue;
      this.report(
        'error',
        'MISSING_REQUIRED_KEY',
        where === '$' ? def.key : `${where}.${def.key}`,
        `required key ${def.key} is missing`,
      );
    }
  }

  checkValue(value: PlistValue, def: AppleSchemaKey, where: string, support: OsSupport): void {
    if (!typeMatches(def.type, value)) {
      this.report('error', 'WRONG_TYPE', where, `expected ${def.type}, found ${describeValue(value)}`);
      return;
    }
    if (
      def.rangelist !== undefined &&
      !Array.isArray(value) &&
      !isDict(value) &&
      !def.rangelist.includes(value)
    ) {
      this.report(
        'error',
        'NOT_IN_RANGELIST',
        where,
        `${JSON.stringify(value)} is not one of ${JSON.stringify(def.rangelist)}`,
      );
    }
    if (Array.isArray(value) && def.subkeys?.[0] !== undefined) {
      const item = def.subkeys[0];
      value.forEach((element, i) =>
        this.checkValue(element, item, `${where}[${i}]`, this.support(support, item)),
      );
    } else if (isDict(value) && def.subkeys !== undefined && def.subkeys.length > 0) {
      this.checkDict(value, def.subkeys, where, support);
    }
  }

  checkPayload(payload: PlistValue, where: string, parent: OsSupport): void {
    if (!isDict(payload)) {
      this.report(
        'error',
        'NOT_A_DICTIONARY',
        where,
        `a payload must be a dictionary, found ${describeValue(payload)}`,
      );
      return;
    }
    const type = payload.PayloadType;
    const schema = typeof type === 'string' ? this.schemas.payloadTypes.get(type) : undefined;
    const commonKeys = this.schemas.common.payloadkeys;
    if (schema === undefined) {
      this.report(
        'error',
        'UNKNOWN_PAYLOAD_TYPE',
        where,
        `PayloadType ${JSON.stringify(type)} is not a payload type in Apple's schema`,
      );
      this.checkDict(payload, commonKeys, where, parent, (key) => !commonKeys.some((def) => def.key === key));
      return;
    }
    const own = { ...parent, ...(schema.supportedOS[this.platform] ?? {}) };
    this.checkSupport(where, `payload ${type}`, parent, own);
    const specific = new Set(schema.payloadkeys.map((def) => def.key));
    this.checkDict(
      payload,
      [...commonKeys.filter((def) => !specific.has(def.key)), ...schema.payloadkeys],
      where,
      own,
    );
  }

  checkProfile(profile: PlistDict): void {
    const topLevel = this.schemas.topLevel;
    const support = topLevel.supportedOS[this.platform] ?? {};
    const encrypted = profile.IsEncrypted === true;
    // PayloadContent is checked item by item against each payload's own schema below.
    this.checkDict(profile, topLevel.payloadkeys, '$', support, (key) => key === 'PayloadContent');
    const content = profile.PayloadContent;
    if (content === undefined) {
      if (!encrypted)
        this.report(
          'error',
          'MISSING_REQUIRED_KEY',
          'PayloadContent',
          'required key PayloadContent is missing',
        );
      return;
    }
    if (!Array.isArray(content)) {
      this.report(
        'error',
        'WRONG_TYPE',
        'PayloadContent',
        `expected <array>, found ${describeValue(content)}`,
      );
      return;
    }
    content.forEach((payload, i) => this.checkPayload(payload, `PayloadContent[${i}]`, {}));
    for (const field of ['PayloadIdentifier', 'PayloadUUID'] as const) {
      const seen = new Map<string, string>();
      const entries: [string, PlistValue | undefined][] = [
        ['$', profile[field]],
        ...content.map((p, i): [string, PlistValue | undefined] => [
          `PayloadContent[${i}]`,
          isDict(p) ? p[field] : undefined,
        ]),
      ];
      for (const [where, value] of entries) {
        if (typeof value !== 'string') continue;
        const first = seen.get(value);
        if (first !== undefined) {
          this.report(
            'error',
            'DUPLICATE_IDENTIFIER',
            `${where}.${field}`,
            `${field} ${value} is already used by ${first}`,
          );
        } else {
          seen.set(value, where);
        }
      }
    }
  }
}

/**
 * Validates a configuration profile (PayloadType `Configuration`: top-level keys and every payload)
 * or a single payload dictionary against Apple's schema. `schema` is the schema directory
 * (`apple-device-management`, or its `mdm/profiles`) or schemas already loaded.
 */
export function validatePayloadAgainstSchema(
  payload: PlistValue,
  schema: string | AppleProfileSchemas,
  options: SchemaValidationOptions = {},
): SchemaValidationResult {
  const schemas = typeof schema === 'string' ? loadAppleProfileSchemas(schema) : schema;
  const validator = new Validator(schemas, options.platform ?? 'iOS');
  if (isDict(payload) && payload.PayloadType === 'Configuration') {
    validator.checkProfile(payload);
  } else {
    validator.checkPayload(payload, '$', {});
  }
  const { issues } = validator;
  const errors = issues.filter((issue) => issue.severity === 'error');
  return {
    valid: errors.length === 0,
    issues,
    errors,
    warnings: issues.filter((issue) => issue.severity === 'warning'),
    info: issues.filter((issue) => issue.severity === 'info'),
  };
}
