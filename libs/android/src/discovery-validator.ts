/*
 * Validates a JSON request body against the `schemas` of a Google API discovery document
 * (format: https://developers.google.com/discovery/v1/reference/apis). Used to prove that what the
 * policy compiler emits is something the Android Management API accepts and still honours.
 */

/** One property or schema in a discovery document (the keys this validator reads). */
export interface DiscoverySchema {
  id?: string;
  type?: string;
  format?: string;
  $ref?: string;
  description?: string;
  properties?: Record<string, DiscoverySchema>;
  items?: DiscoverySchema;
  additionalProperties?: DiscoverySchema;
  enum?: string[];
  enumDescriptions?: string[];
  enumDeprecated?: boolean[];
  deprecated?: boolean;
  readOnly?: boolean;
}

export interface DiscoveryDocument {
  name?: string;
  version?: string;
  revision?: string;
  schemas: Record<string, DiscoverySchema>;
}

export type DiscoveryIssueCode =
  | 'unknown-schema'
  | 'unknown-field'
  | 'wrong-type'
  | 'bad-format'
  | 'bad-enum'
  | 'deprecated-field'
  | 'deprecated-enum'
  | 'output-only';

export interface DiscoveryIssue {
  /** JSON path of the offending value, e.g. `$.applications[2].installType`. */
  path: string;
  message: string;
  code: DiscoveryIssueCode;
}

/** Parses and shape-checks discovery-document JSON text (it must at least have a `schemas` object). */
export function parseDiscoveryDocument(text: string | Buffer): DiscoveryDocument {
  const parsed: unknown = JSON.parse(text.toString());
  if (!isPlainObject(parsed) || !isPlainObject(parsed.schemas)) {
    throw new Error('not a discovery document: it has no "schemas" object');
  }
  return parsed as unknown as DiscoveryDocument;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function childPath(path: string, key: string): string {
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && Number.isInteger(value)) return `integer ${value}`;
  return typeof value;
}

/** Fields the server sets: `readOnly`, "Output only." descriptions, and "This is a read-only field". */
function isOutputOnly(property: DiscoverySchema): boolean {
  const description = property.description ?? '';
  return (
    property.readOnly === true ||
    description.startsWith('Output only.') ||
    /\bThis is a read-only field\b/.test(description)
  );
}

/** Fields the API still parses but ignores, even where the `deprecated` flag is missing. */
function isIneffective(property: DiscoverySchema): boolean {
  return /^(This field has no effect|This setting is not supported|This field is deprecated)/.test(
    property.description ?? '',
  );
}

const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };
const UINT32 = { min: 0, max: 2 ** 32 - 1 };
// Discovery encodes 64-bit integers as JSON strings ("type": "string", "format": "int64").
const STRING_FORMATS: Record<string, { pattern: RegExp; what: string }> = {
  int64: { pattern: /^-?(0|[1-9][0-9]*)$/, what: 'a decimal int64 in a string' },
  uint64: { pattern: /^(0|[1-9][0-9]*)$/, what: 'a decimal uint64 in a string' },
  'google-duration': { pattern: /^-?[0-9]+(\.[0-9]{1,9})?s$/, what: 'a duration such as "3600s"' },
  'google-datetime': {
    pattern:
      /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$/,
    what: 'an RFC 3339 timestamp',
  },
  byte: { pattern: /^[A-Za-z0-9+/_-]*={0,2}$/, what: 'base64 data' },
};

class Walker {
  readonly issues: DiscoveryIssue[] = [];
  private readonly active = new Set<object>();

  constructor(private readonly doc: DiscoveryDocument) {}

  private report(path: string, code: DiscoveryIssueCode, message: string): void {
    this.issues.push({ path, code, message });
  }

  /** Resolves a `$ref`, reporting unknown and deprecated schemas. */
  resolve(ref: string, path: string): DiscoverySchema | undefined {
    const schema = Object.hasOwn(this.doc.schemas, ref) ? this.doc.schemas[ref] : undefined;
    if (schema === undefined) {
      this.report(path, 'unknown-schema', `schema ${ref} is not defined in the discovery document`);
      return undefined;
    }
    if (schema.deprecated === true) this.report(path, 'deprecated-field', `schema ${ref} is deprecated`);
    return schema;
  }

  value(value: unknown, schema: DiscoverySchema, path: string): void {
    if (schema.$ref !== undefined) {
      const target = this.resolve(schema.$ref, path);
      if (target !== undefined) this.value(value, target, path);
      return;
    }
    if (value === null) {
      this.report(path, 'wrong-type', `null is not allowed (omit the field instead)`);
      return;
    }
    switch (schema.type) {
      case 'any':
        return;
      case 'string':
        return this.string(value, schema, path);
      case 'integer': {
        const range = schema.format === 'uint32' ? UINT32 : INT32;
        if (typeof value !== 'number' || !Number.isInteger(value)) {
          this.report(
            path,
            'wrong-type',
            `expected an integer (${schema.format ?? 'int32'}), got ${describe(value)}`,
          );
        } else if (value < range.min || value > range.max) {
          this.report(path, 'bad-format', `${value} is out of range for ${schema.format ?? 'int32'}`);
        }
        return;
      }
      case 'number':
        if (typeof value !== 'number' || !Number.isFinite(value)) {
          this.report(path, 'wrong-type', `expected a number, got ${describe(value)}`);
        }
        return;
      case 'boolean':
        if (typeof value !== 'boolean')
          this.report(path, 'wrong-type', `expected a boolean, got ${describe(value)}`);
        return;
      case 'array':
        if (!Array.isArray(value)) {
          this.report(path, 'wrong-type', `expected an array, got ${describe(value)}`);
          return;
        }
        if (schema.items === undefined) return;
        this.enter(value, path, () =>
          value.forEach((item, i) => this.value(item, schema.items!, `${path}[${i}]`)),
        );
        return;
      case 'object':
        return this.object(value, schema, path);
      default:
        this.report(
          path,
          'unknown-schema',
          `the discovery document uses unsupported type ${String(schema.type)}`,
        );
    }
  }

  private string(value: unknown, schema: DiscoverySchema, path: string): void {
    if (typeof value !== 'string') {
      const format = schema.format === undefined ? '' : ` (${schema.format})`;
      this.report(path, 'wrong-type', `expected a string${format}, got ${describe(value)}`);
      return;
    }
    const format = schema.format === undefined ? undefined : STRING_FORMATS[schema.format];
    if (format !== undefined && !format.pattern.test(value)) {
      this.report(path, 'bad-format', `expected ${format.what}, got ${JSON.stringify(value)}`);
    }
    if (schema.enum === undefined) return;
    const index = schema.enum.indexOf(value);
    if (index < 0) {
      this.report(path, 'bad-enum', `${JSON.stringify(value)} is not one of ${schema.enum.join(', ')}`);
    } else if (schema.enumDeprecated?.[index] === true) {
      this.report(path, 'deprecated-enum', `enum value ${value} is deprecated`);
    }
  }

  private object(value: unknown, schema: DiscoverySchema, path: string): void {
    if (!isPlainObject(value)) {
      this.report(path, 'wrong-type', `expected an object, got ${describe(value)}`);
      return;
    }
    this.enter(value, path, () => {
      for (const key of Object.keys(value)) {
        const member = value[key];
        if (member === undefined) continue; // JSON.stringify drops it
        const here = childPath(path, key);
        const property =
          schema.properties !== undefined && Object.hasOwn(schema.properties, key)
            ? schema.properties[key]
            : undefined;
        if (property !== undefined) {
          if (property.deprecated === true) {
            this.report(
              here,
              'deprecated-field',
              `field ${key} is deprecated: ${property.description ?? ''}`.trim(),
            );
          } else if (isIneffective(property)) {
            this.report(
              here,
              'deprecated-field',
              `field ${key} has no effect: ${property.description ?? ''}`.trim(),
            );
          }
          if (isOutputOnly(property)) {
            this.report(here, 'output-only', `field ${key} is output only (set by the server)`);
          }
          this.value(member, property, here);
        } else if (schema.additionalProperties !== undefined) {
          this.value(member, schema.additionalProperties, here);
        } else {
          const where = schema.id === undefined ? '' : ` in ${schema.id}`;
          this.report(here, 'unknown-field', `unknown field ${key}${where}`);
        }
      }
    });
  }

  /** Guards against cyclic input (which is not JSON anyway). */
  private enter(value: object, path: string, visit: () => void): void {
    if (this.active.has(value)) {
      this.report(path, 'wrong-type', 'cyclic value');
      return;
    }
    this.active.add(value);
    try {
      visit();
    } finally {
      this.active.delete(value);
    }
  }
}

/**
 * Checks `value` against the discovery schema `schemaName` (e.g. "Policy"). Reports unknown fields,
 * wrong JSON types (64-bit integers must be strings), malformed formats, invalid enum values,
 * deprecated or ineffective fields, deprecated enum values and output-only fields.
 * Returns an empty list when the value is clean.
 */
export function validateAgainstDiscovery(
  value: unknown,
  schemaName: string,
  discoveryDoc: DiscoveryDocument,
): DiscoveryIssue[] {
  const walker = new Walker(discoveryDoc);
  const schema = walker.resolve(schemaName, '$');
  if (schema !== undefined) walker.value(value, schema, '$');
  return walker.issues;
}
