import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { ApplePlatform, AppleSchemaKey } from '../schema/apple-profile-schema.js';
import { decodePlistDict, type PlistDict, type PlistValue } from '../plist/plist-codec.js';
import { typeMatches } from '../schema/apple-profile-schema.js';
import { isPlistDict, plistTypeOf } from './plist-fields.js';

/*
 * Checks MDM commands, command responses and check-in messages against Apple's schema: the YAML
 * files of apple/device-management `mdm/commands/*.yaml` and `mdm/checkin/*.yaml` (format in its
 * docs/schema.md). Used by tests and by the device simulator; the production path does not need it.
 *   errors:   unknown RequestType / MessageType, missing required key, wrong type, value outside
 *             `rangelist` (for DeviceInformation `Queries`, outside the query names the schema lists);
 *   warnings: unknown key, key or query not supported on the platform.
 * A key is required when `presence: required` and its effective `supportedOS.<platform>` (the
 * payload's, overridden by the key's own) is not `introduced: n/a`. Keys named `ANY ...` match
 * any key of their dictionary.
 */

type OsSupport = { introduced?: string; [field: string]: unknown };
type SupportedOs = Partial<Record<ApplePlatform, OsSupport>>;

export interface MdmSchema {
  /** RequestType (commands) or MessageType (check-in). */
  requestType: string;
  title: string;
  file: string;
  supportedOS: SupportedOs;
  payloadkeys: AppleSchemaKey[];
  responsekeys: AppleSchemaKey[];
}

export interface MdmSchemas {
  /** Commands by RequestType. */
  commands: ReadonlyMap<string, MdmSchema>;
  /** Check-in messages by MessageType. */
  checkin: ReadonlyMap<string, MdmSchema>;
}

export type MdmSchemaIssueCode =
  | 'NOT_A_DICTIONARY'
  | 'UNKNOWN_REQUEST_TYPE'
  | 'MISSING_REQUIRED_KEY'
  | 'WRONG_TYPE'
  | 'NOT_IN_RANGELIST'
  | 'UNKNOWN_KEY'
  | 'UNSUPPORTED_ON_PLATFORM';

export interface MdmSchemaIssue {
  severity: 'error' | 'warning';
  code: MdmSchemaIssueCode;
  /** e.g. `Command.Queries[3]`. */
  path: string;
  message: string;
}

export interface MdmSchemaValidationResult {
  valid: boolean;
  issues: MdmSchemaIssue[];
  errors: MdmSchemaIssue[];
}

export interface MdmSchemaValidationOptions {
  /** Default iOS. */
  platform?: ApplePlatform;
  /** Check as a User Enrollment (EnrollmentID instead of UDID). Default false: a device enrollment. */
  userEnrollment?: boolean;
}

const cache = new Map<string, MdmSchemas>();

function loadDir(dir: string): Map<string, MdmSchema> {
  const out = new Map<string, MdmSchema>();
  for (const file of readdirSync(dir)
    .filter((name) => name.endsWith('.yaml'))
    .sort()) {
    const doc = parse(readFileSync(path.join(dir, file), 'utf8')) as {
      title?: string;
      payload?: { requesttype?: string; supportedOS?: SupportedOs };
      payloadkeys?: AppleSchemaKey[];
      responsekeys?: AppleSchemaKey[];
    } | null;
    const requestType = doc?.payload?.requesttype;
    if (!doc || typeof requestType !== 'string') continue;
    out.set(requestType, {
      requestType,
      title: doc.title ?? requestType,
      file,
      supportedOS: doc.payload?.supportedOS ?? {},
      payloadkeys: doc.payloadkeys ?? [],
      responsekeys: doc.responsekeys ?? [],
    });
  }
  return out;
}

/** Loads `mdm/commands` and `mdm/checkin` under Apple's device-management repository root (cached). */
export function loadMdmSchemas(rootDir: string): MdmSchemas {
  const root = path.resolve(rootDir);
  const cached = cache.get(root);
  if (cached) return cached;
  const commandsDir = path.join(root, 'mdm', 'commands');
  const checkinDir = path.join(root, 'mdm', 'checkin');
  if (!existsSync(commandsDir) || !existsSync(checkinDir)) {
    throw new Error(`${root} does not look like Apple's device-management repository (mdm/commands missing)`);
  }
  const schemas: MdmSchemas = { commands: loadDir(commandsDir), checkin: loadDir(checkinDir) };
  cache.set(root, schemas);
  return schemas;
}

class Checker {
  readonly issues: MdmSchemaIssue[] = [];
  private readonly platform: ApplePlatform;
  private readonly userEnrollment: boolean;
  constructor(options: MdmSchemaValidationOptions) {
    this.platform = options.platform ?? 'iOS';
    this.userEnrollment = options.userEnrollment ?? false;
  }

  /**
   * Whether a required key is required in this context: not on a platform where it is `n/a`, not
   * outside User Enrollment when only User Enrollment requires it (EnrollmentID) and conversely
   * (UDID), not outside Shared iPad when only Shared iPad requires it.
   */
  applies(support: OsSupport): boolean {
    if (support.introduced === 'n/a') return false;
    const mode = (field: string): unknown => (support[field] as { mode?: unknown } | undefined)?.mode;
    if (!this.userEnrollment && mode('userenrollment') === 'required') return false;
    if (this.userEnrollment && mode('userenrollment') === 'forbidden') return false;
    if (mode('sharedipad') === 'required') return false;
    return true;
  }

  report(
    severity: MdmSchemaIssue['severity'],
    code: MdmSchemaIssueCode,
    where: string,
    message: string,
  ): void {
    this.issues.push({ severity, code, path: where, message });
  }

  support(parent: OsSupport, def: { supportedOS?: SupportedOs }): OsSupport {
    return { ...parent, ...(def.supportedOS?.[this.platform] ?? {}) };
  }

  checkDict(
    dict: PlistDict,
    defs: AppleSchemaKey[],
    where: string,
    parent: OsSupport,
    skip: (key: string) => boolean = () => false,
  ): void {
    const byName = new Map(defs.map((def) => [def.key, def]));
    const any = defs.find((def) => def.key.startsWith('ANY'));
    for (const [key, value] of Object.entries(dict)) {
      if (skip(key)) continue;
      const at = where === '' ? key : `${where}.${key}`;
      const def = byName.get(key) ?? any;
      if (def === undefined) {
        this.report('warning', 'UNKNOWN_KEY', at, `${key} is not a key of this dictionary in Apple's schema`);
        continue;
      }
      const own = this.support(parent, def);
      if (own.introduced === 'n/a' && parent.introduced !== 'n/a') {
        this.report('warning', 'UNSUPPORTED_ON_PLATFORM', at, `${key} is not supported on ${this.platform}`);
      }
      this.checkValue(value, def, at, own);
    }
    for (const def of defs) {
      if (def.presence !== 'required' || def.key.startsWith('ANY') || def.key in dict || skip(def.key))
        continue;
      if (!this.applies(this.support(parent, def))) continue;
      const at = where === '' ? def.key : `${where}.${def.key}`;
      this.report('error', 'MISSING_REQUIRED_KEY', at, `required key ${def.key} is missing`);
    }
  }

  checkValue(value: PlistValue, def: AppleSchemaKey, where: string, support: OsSupport): void {
    if (!typeMatches(def.type, value)) {
      this.report('error', 'WRONG_TYPE', where, `expected ${def.type}, found <${plistTypeOf(value)}>`);
      return;
    }
    if (def.rangelist !== undefined && !Array.isArray(value) && !isPlistDict(value)) {
      if (!def.rangelist.includes(value)) {
        this.report(
          'error',
          'NOT_IN_RANGELIST',
          where,
          `${JSON.stringify(value)} is not one of ${JSON.stringify(def.rangelist)}`,
        );
      }
    }
    const subkeys = def.subkeys ?? [];
    if (Array.isArray(value) && subkeys[0] !== undefined) {
      const item = subkeys[0];
      value.forEach((element, i) =>
        this.checkValue(element, item, `${where}[${i}]`, this.support(support, item)),
      );
    } else if (isPlistDict(value) && subkeys.length > 0) {
      this.checkDict(value, subkeys, where, support);
    } else if (typeof value === 'string' && subkeys.length > 0) {
      // A <string> with subkeys (DeviceInformation's QueriesItem) lists the values it may take.
      const allowed = subkeys.find((sub) => sub.key === value);
      if (allowed === undefined) {
        this.report(
          'error',
          'NOT_IN_RANGELIST',
          where,
          `${JSON.stringify(value)} is not one of the values the schema lists`,
        );
      } else if (this.support(support, allowed).introduced === 'n/a') {
        this.report(
          'warning',
          'UNSUPPORTED_ON_PLATFORM',
          where,
          `${value} is not supported on ${this.platform}`,
        );
      }
    }
  }
}

function result(checker: Checker): MdmSchemaValidationResult {
  const errors = checker.issues.filter((issue) => issue.severity === 'error');
  return { valid: errors.length === 0, issues: checker.issues, errors };
}

function asDict(input: PlistDict | Uint8Array): PlistDict {
  return input instanceof Uint8Array ? decodePlistDict(input) : input;
}

/** Validates a command plist (`{CommandUUID, Command: {RequestType, ...}}`, as bytes or decoded). */
export function validateMdmCommand(
  command: PlistDict | Uint8Array,
  schemas: MdmSchemas,
  options: MdmSchemaValidationOptions = {},
): MdmSchemaValidationResult {
  const checker = new Checker(options);
  const dict = asDict(command);
  checker.checkDict(
    dict,
    [
      { key: 'CommandUUID', type: '<string>', presence: 'required' },
      { key: 'Command', type: '<dictionary>', presence: 'required' },
    ],
    '',
    {},
  );
  const inner = dict.Command;
  if (!isPlistDict(inner)) return result(checker);
  const requestType = inner.RequestType;
  const schema = typeof requestType === 'string' ? schemas.commands.get(requestType) : undefined;
  if (schema === undefined) {
    checker.report(
      'error',
      'UNKNOWN_REQUEST_TYPE',
      'Command.RequestType',
      `RequestType ${JSON.stringify(requestType)} is not a command in Apple's schema`,
    );
    return result(checker);
  }
  const support = schema.supportedOS[options.platform ?? 'iOS'] ?? {};
  if (support.introduced === 'n/a' || schema.supportedOS[options.platform ?? 'iOS'] === undefined) {
    checker.report(
      'warning',
      'UNSUPPORTED_ON_PLATFORM',
      'Command',
      `${schema.requestType} is not supported on ${options.platform ?? 'iOS'}`,
    );
  }
  checker.checkDict(inner, schema.payloadkeys, 'Command', support, (key) => key === 'RequestType');
  return result(checker);
}

const REPORT_ENVELOPE = new Set([
  'UDID',
  'EnrollmentID',
  'EnrollmentUserID',
  'UserID',
  'UserShortName',
  'UserLongName',
  'Status',
  'CommandUUID',
  'ErrorChain',
  'RequestType',
]);

/** Validates the response keys of an Acknowledged command report against the command's `responsekeys`. */
export function validateMdmCommandResponse(
  requestType: string,
  report: PlistDict,
  schemas: MdmSchemas,
  options: MdmSchemaValidationOptions = {},
): MdmSchemaValidationResult {
  const checker = new Checker(options);
  const schema = schemas.commands.get(requestType);
  if (schema === undefined) {
    checker.report('error', 'UNKNOWN_REQUEST_TYPE', '', `${requestType} is not a command in Apple's schema`);
    return result(checker);
  }
  const support = schema.supportedOS[options.platform ?? 'iOS'] ?? {};
  checker.checkDict(report, schema.responsekeys, '', support, (key) => REPORT_ENVELOPE.has(key));
  return result(checker);
}

/** Validates a check-in message (as bytes or decoded) against mdm/checkin/<type>.yaml. */
export function validateCheckinAgainstSchema(
  message: PlistDict | Uint8Array,
  schemas: MdmSchemas,
  options: MdmSchemaValidationOptions = {},
): MdmSchemaValidationResult {
  const checker = new Checker(options);
  const dict = asDict(message);
  const type = dict.MessageType;
  const schema = typeof type === 'string' ? schemas.checkin.get(type) : undefined;
  if (schema === undefined) {
    checker.report(
      'error',
      'UNKNOWN_REQUEST_TYPE',
      'MessageType',
      `MessageType ${JSON.stringify(type)} is not in Apple's schema`,
    );
    return result(checker);
  }
  const support = schema.supportedOS[options.platform ?? 'iOS'] ?? {};
  checker.checkDict(dict, schema.payloadkeys, '', support);
  return result(checker);
}
