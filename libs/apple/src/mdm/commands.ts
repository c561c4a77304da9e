import { encodePlist, type PlistDict, type PlistValue } from '../plist/plist-codec.js';
import { MdmProtocolError, decodeMdmPlist } from './mdm-protocol-error.js';
import {
  expectKind,
  itemPath,
  optionalArray,
  optionalBoolean,
  optionalDict,
  optionalInteger,
  optionalNumber,
  optionalString,
  requiredArray,
  requiredDict,
  requiredInteger,
  requiredString,
} from './plist-fields.js';

/*
 * Commands (the server's answer to PUT /mdm/{tenant}/server) and command reports (the device's PUT
 * body). Request keys follow Apple's schema, mdm/commands/<name>.yaml:
 *   InstallProfile            profile.install.yaml             Payload <data> (required)
 *   RemoveProfile             profile.remove.yaml              Identifier <string> (required)
 *   ProfileList               profile.list.yaml                ManagedOnly <boolean>
 *   InstalledApplicationList  application.installed.list.yaml  Identifiers <array of string>, ManagedAppsOnly <boolean>, Items <array of string>
 *   DeviceInformation         information.device.yaml          Queries <array of string> (required)
 *   SecurityInfo              information.security.yaml        (no keys)
 *   Restrictions              device.restrictions.list.yaml    ProfileRestrictions <boolean>
 * A report is `{UDID, Status, CommandUUID, ErrorChain?, ...response keys}` (nanomdm mdm/command.go).
 */

export type MdmCommandRequest =
  | { RequestType: 'InstallProfile'; Payload: Uint8Array }
  | { RequestType: 'RemoveProfile'; Identifier: string }
  | { RequestType: 'ProfileList'; ManagedOnly?: boolean }
  | {
      RequestType: 'InstalledApplicationList';
      Identifiers?: string[];
      ManagedAppsOnly?: boolean;
      /** Limits the keys returned per app (Identifier is always returned). */
      Items?: string[];
    }
  | { RequestType: 'DeviceInformation'; Queries: string[] }
  | { RequestType: 'SecurityInfo' }
  | { RequestType: 'Restrictions'; ProfileRestrictions?: boolean }
  /** Lets Setup Assistant finish on a phone enrolled through ADE with await_device_configured. */
  | { RequestType: 'DeviceConfigured' };

export type MdmRequestType = MdmCommandRequest['RequestType'];

/** What Rempart asks a phone about itself (every one is answerable on an unsupervised iPhone). */
export const DEFAULT_DEVICE_INFORMATION_QUERIES: readonly string[] = Object.freeze([
  'UDID',
  'DeviceName',
  'OSVersion',
  'BuildVersion',
  'ModelName',
  'Model',
  'ProductName',
  'SerialNumber',
  'IsSupervised',
]);

/** Keys a phone can return per app in InstalledApplicationList (application.installed.list.yaml `Items`). */
export const INSTALLED_APPLICATION_ITEMS: readonly string[] = Object.freeze([
  'AdHocCodeSigned',
  'AppStoreVendable',
  'BetaApp',
  'BundleSize',
  'DeviceBasedVPP',
  'DistributorIdentifier',
  'DynamicSize',
  'ExternalVersionIdentifier',
  'HasUpdateAvailable',
  'Identifier',
  'Installing',
  'IsAppClip',
  'IsValidated',
  'Name',
  'ShortVersion',
  'Version',
]);

/** Response bodies are capped at 10 MiB (a phone with hundreds of apps sends a few hundred KiB). */
export const DEFAULT_REPORT_MAX_BYTES = 10 * 1024 * 1024;

function invalid(message: string, key?: string): never {
  throw new MdmProtocolError('INVALID_COMMAND', message, key);
}

function nonEmptyString(value: unknown, key: string): string {
  if (typeof value !== 'string' || value.trim() === '') invalid(`${key} must be a non-empty string`, key);
  return value;
}

function optionalBool(value: unknown, key: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') invalid(`${key} must be a boolean`, key);
  return value;
}

function stringList(value: unknown, key: string, required: boolean): string[] | undefined {
  if (value === undefined && !required) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' && item.trim() !== '')) {
    invalid(`${key} must be an array of non-empty strings`, key);
  }
  if (required && value.length === 0) invalid(`${key} must not be empty`, key);
  return [...(value as string[])];
}

/** The `Command` dictionary for a request; unknown keys of `request` are not copied. */
function commandDict(request: MdmCommandRequest): PlistDict {
  if (typeof request !== 'object' || request === null) invalid('the command request must be an object');
  const r = request as Record<string, unknown>;
  switch (request.RequestType) {
    case 'InstallProfile': {
      if (!(r.Payload instanceof Uint8Array) || r.Payload.length === 0) {
        invalid('Payload must be the (signed) profile bytes', 'Payload');
      }
      return { RequestType: 'InstallProfile', Payload: Buffer.from(r.Payload) };
    }
    case 'RemoveProfile':
      return { RequestType: 'RemoveProfile', Identifier: nonEmptyString(r.Identifier, 'Identifier') };
    case 'ProfileList':
      return {
        RequestType: 'ProfileList',
        ManagedOnly: optionalBool(r.ManagedOnly, 'ManagedOnly'),
      } as PlistDict;
    case 'InstalledApplicationList': {
      const items = stringList(r.Items, 'Items', false);
      const unknown = items?.find((item) => !INSTALLED_APPLICATION_ITEMS.includes(item));
      if (unknown !== undefined)
        invalid(`Items: ${JSON.stringify(unknown)} is not an app attribute`, 'Items');
      return {
        RequestType: 'InstalledApplicationList',
        Identifiers: stringList(r.Identifiers, 'Identifiers', false),
        ManagedAppsOnly: optionalBool(r.ManagedAppsOnly, 'ManagedAppsOnly'),
        Items: items,
      } as PlistDict;
    }
    case 'DeviceInformation':
      return {
        RequestType: 'DeviceInformation',
        Queries: stringList(r.Queries, 'Queries', true) as string[],
      };
    case 'SecurityInfo':
      return { RequestType: 'SecurityInfo' };
    case 'DeviceConfigured':
      return { RequestType: 'DeviceConfigured' };
    case 'Restrictions':
      return {
        RequestType: 'Restrictions',
        ProfileRestrictions: optionalBool(r.ProfileRestrictions, 'ProfileRestrictions'),
      } as PlistDict;
    default:
      return invalid(
        `unsupported RequestType ${JSON.stringify((request as { RequestType?: unknown }).RequestType)}`,
        'RequestType',
      );
  }
}

/**
 * The plist the server sends a device: `{CommandUUID, Command: {RequestType, ...}}`. Throws
 * MdmProtocolError INVALID_COMMAND when the request is incomplete (a server bug: commands come
 * from Rempart's own queue).
 */
export function buildCommandPlist(commandUuid: string, request: MdmCommandRequest): Buffer {
  const uuid = nonEmptyString(commandUuid, 'CommandUUID');
  // eslint-disable-next-line no-control-regex
  if (uuid.length > 256 || /[\u0000-\u001f\u007f]/.test(uuid)) {
    invalid('CommandUUID must be at most 256 printable characters', 'CommandUUID');
  }
  return encodePlist({ CommandUUID: uuid, Command: commandDict(request) });
}

// ---------------------------------------------------------------------------------------------
// Reports
// ---------------------------------------------------------------------------------------------

export const COMMAND_STATUSES = ['Idle', 'Acknowledged', 'Error', 'CommandFormatError', 'NotNow'] as const;
export type CommandStatus = (typeof COMMAND_STATUSES)[number];

export interface CommandErrorChainItem {
  ErrorCode: number;
  ErrorDomain: string;
  LocalizedDescription?: string;
  USEnglishDescription?: string;
}

export interface CommandReport {
  UDID: string;
  Status: CommandStatus;
  /** Present for every Status but Idle. */
  CommandUUID?: string;
  ErrorChain?: CommandErrorChainItem[];
  /** The whole report dictionary, response keys included (give it to the extract* functions). */
  payload: PlistDict;
}

function parseErrorChain(report: PlistDict): CommandErrorChainItem[] | undefined {
  const chain = optionalArray(report, 'ErrorChain');
  if (chain === undefined) return undefined;
  return chain.map((item, i) => {
    const at = itemPath('', 'ErrorChain', i);
    expectKind(item, 'dictionary', at);
    const dict = item as PlistDict;
    const entry: CommandErrorChainItem = {
      ErrorCode: requiredInteger(dict, 'ErrorCode', at),
      ErrorDomain: requiredString(dict, 'ErrorDomain', at, true),
    };
    const localized = optionalString(dict, 'LocalizedDescription', at);
    const english = optionalString(dict, 'USEnglishDescription', at);
    if (localized !== undefined) entry.LocalizedDescription = localized;
    if (english !== undefined) entry.USEnglishDescription = english;
    return entry;
  });
}

/**
 * Parses a command report (the body of PUT /mdm/{tenant}/server). Throws MdmProtocolError (code and
 * a message naming the key) when the body is oversize or not a plist dictionary, UDID or Status is
 * missing, Status is not one of Idle / Acknowledged / Error / CommandFormatError / NotNow, a
 * non-Idle report lacks CommandUUID, or ErrorChain is malformed.
 */
export function parseCommandReport(body: Uint8Array, maxBytes = DEFAULT_REPORT_MAX_BYTES): CommandReport {
  const payload = decodeMdmPlist(body, maxBytes, 'command report');
  if (payload.UDID === undefined && typeof payload.EnrollmentID === 'string') {
    throw new MdmProtocolError(
      'MISSING_KEY',
      'required key UDID is missing (the report carries only an EnrollmentID: User Enrollment is not supported)',
      'UDID',
    );
  }
  const udid = requiredString(payload, 'UDID');
  const status = requiredString(payload, 'Status');
  if (!(COMMAND_STATUSES as readonly string[]).includes(status)) {
    throw new MdmProtocolError(
      'INVALID_VALUE',
      `Status ${JSON.stringify(status)} is not one of ${COMMAND_STATUSES.join(', ')}`,
      'Status',
    );
  }
  const commandUuid =
    status === 'Idle' ? optionalString(payload, 'CommandUUID') : requiredString(payload, 'CommandUUID');
  const report: CommandReport = { UDID: udid, Status: status as CommandStatus, payload };
  if (commandUuid !== undefined) report.CommandUUID = commandUuid;
  const chain = parseErrorChain(payload);
  if (chain !== undefined) report.ErrorChain = chain;
  return report;
}

// ---------------------------------------------------------------------------------------------
// Result extractors: tolerant of missing optional keys, strict on wrong types.
// ---------------------------------------------------------------------------------------------

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function dictItems(payload: PlistDict, key: string): { item: PlistDict; at: string }[] {
  return requiredArray(payload, key).map((item, i) => {
    const at = itemPath('', key, i);
    expectKind(item, 'dictionary', at);
    return { item: item as PlistDict, at };
  });
}

export interface InstalledProfile {
  /** PayloadIdentifier. */
  identifier: string;
  /** PayloadUUID. */
  uuid: string;
  /** PayloadDisplayName, or the identifier when the profile has none. */
  displayName: string;
  organization?: string;
  version?: number;
  isManaged?: boolean;
  isEncrypted?: boolean;
  removalDisallowed?: boolean;
  /** PayloadType of each payload (absent for encrypted profiles). */
  payloadTypes?: string[];
}

/** The ProfileList of a ProfileList command's report. */
export function extractProfileList(payload: PlistDict): InstalledProfile[] {
  return dictItems(payload, 'ProfileList').map(({ item, at }) => {
    const identifier = requiredString(item, 'PayloadIdentifier', at);
    const content = optionalArray(item, 'PayloadContent', at);
    const payloadTypes = content?.map((entry, i) => {
      const entryAt = itemPath(at, 'PayloadContent', i);
      expectKind(entry, 'dictionary', entryAt);
      return requiredString(entry as PlistDict, 'PayloadType', entryAt);
    });
    return withoutUndefined<InstalledProfile>({
      identifier,
      uuid: requiredString(item, 'PayloadUUID', at),
      displayName: optionalString(item, 'PayloadDisplayName', at) ?? identifier,
      organization: optionalString(item, 'PayloadOrganization', at),
      version: optionalInteger(item, 'PayloadVersion', at),
      isManaged: optionalBoolean(item, 'IsManaged', at),
      isEncrypted: optionalBoolean(item, 'IsEncrypted', at),
      removalDisallowed: optionalBoolean(item, 'PayloadRemovalDisallowed', at),
      payloadTypes,
    });
  });
}

export interface InstalledApplication {
  identifier: string;
  name?: string;
  version?: string;
  shortVersion?: string;
  bundleSize?: number;
  installing?: boolean;
}

/**
 * The InstalledApplicationList of an InstalledApplicationList command's report. Entries without an
 * Identifier (possible on macOS per Apple's schema, never on iOS) are skipped.
 */
export function extractInstalledApplications(payload: PlistDict): InstalledApplication[] {
  const out: InstalledApplication[] = [];
  for (const { item, at } of dictItems(payload, 'InstalledApplicationList')) {
    const identifier = optionalString(item, 'Identifier', at);
    const app = withoutUndefined<InstalledApplication>({
      identifier: identifier ?? '',
      name: optionalString(item, 'Name', at),
      version: optionalString(item, 'Version', at),
      shortVersion: optionalString(item, 'ShortVersion', at),
      bundleSize: optionalInteger(item, 'BundleSize', at),
      installing: optionalBoolean(item, 'Installing', at),
    });
    if (identifier !== undefined && identifier !== '') out.push(app);
  }
  return out;
}

export interface DeviceInformationResult {
  udid?: string;
  isSupervised?: boolean;
  osVersion?: string;
  serialNumber?: string;
  modelName?: string;
  model?: string;
  deviceName?: string;
  buildVersion?: string;
  productName?: string;
  imei?: string;
  /** Every QueryResponses key, as sent. */
  raw: PlistDict;
}

/** The QueryResponses of a DeviceInformation command's report. */
export function extractDeviceInformation(payload: PlistDict): DeviceInformationResult {
  const at = 'QueryResponses';
  const raw = requiredDict(payload, at);
  return withoutUndefined<DeviceInformationResult>({
    udid: optionalString(raw, 'UDID', at),
    isSupervised: optionalBoolean(raw, 'IsSupervised', at),
    osVersion: optionalString(raw, 'OSVersion', at),
    serialNumber: optionalString(raw, 'SerialNumber', at),
    modelName: optionalString(raw, 'ModelName', at),
    model: optionalString(raw, 'Model', at),
    deviceName: optionalString(raw, 'DeviceName', at),
    buildVersion: optionalString(raw, 'BuildVersion', at),
    productName: optionalString(raw, 'ProductName', at),
    imei: optionalString(raw, 'IMEI', at),
    raw,
  });
}

export interface SecurityInfoResult {
  hardwareEncryptionCaps?: number;
  passcodePresent?: boolean;
  passcodeCompliant?: boolean;
  passcodeCompliantWithProfiles?: boolean;
  /** Minutes. */
  autoLockTime?: number;
  managementStatus?: {
    enrolledViaDep?: boolean;
    userApprovedEnrollment?: boolean;
    isUserEnrollment?: boolean;
    isActivationLockManageable?: boolean;
  };
  /** The SecurityInfo dictionary, as sent. */
  raw: PlistDict;
}

/** The SecurityInfo of a SecurityInfo command's report (information.security.yaml). */
export function extractSecurityInfo(payload: PlistDict): SecurityInfoResult {
  const at = 'SecurityInfo';
  const raw = requiredDict(payload, at);
  const statusAt = `${at}.ManagementStatus`;
  const status = optionalDict(raw, 'ManagementStatus', at);
  return withoutUndefined<SecurityInfoResult>({
    hardwareEncryptionCaps: optionalInteger(raw, 'HardwareEncryptionCaps', at),
    passcodePresent: optionalBoolean(raw, 'PasscodePresent', at),
    passcodeCompliant: optionalBoolean(raw, 'PasscodeCompliant', at),
    passcodeCompliantWithProfiles: optionalBoolean(raw, 'PasscodeCompliantWithProfiles', at),
    autoLockTime: optionalInteger(raw, 'AutoLockTime', at),
    managementStatus:
      status === undefined
        ? undefined
        : withoutUndefined({
            enrolledViaDep: optionalBoolean(status, 'EnrolledViaDEP', statusAt),
            userApprovedEnrollment: optionalBoolean(status, 'UserApprovedEnrollment', statusAt),
            isUserEnrollment: optionalBoolean(status, 'IsUserEnrollment', statusAt),
            isActivationLockManageable: optionalBoolean(status, 'IsActivationLockManageable', statusAt),
          }),
    raw,
  });
}

/** One RestrictionsDictionary (device.restrictions.list.yaml). */
export interface RestrictionSet {
  restrictedBool: Record<string, boolean>;
  restrictedValue: Record<string, number>;
  /** e.g. allowListedAppBundleIDs: only the intersection of all profiles' values applies. */
  intersection: Record<string, string[]>;
  /** e.g. blockedAppBundleIDs: the union of all profiles' values applies. */
  union: Record<string, string[]>;
}

export interface RestrictionsResult {
  /** GlobalRestrictions: the restrictions in effect, all profiles combined. */
  global: RestrictionSet;
  /** ProfileRestrictions by profile identifier (only when the command asked for them). */
  profiles?: Record<string, RestrictionSet>;
  raw: PlistDict;
}

function restrictionSet(dict: PlistDict, at: string): RestrictionSet {
  const out: RestrictionSet = { restrictedBool: {}, restrictedValue: {}, intersection: {}, union: {} };
  const entries = (key: string): [string, PlistDict, string][] => {
    const group = optionalDict(dict, key, at);
    if (group === undefined) return [];
    return Object.entries(group).map(([name, value]) => {
      const path = `${at}.${key}.${name}`;
      expectKind(value, 'dictionary', path);
      return [name, value as PlistDict, path];
    });
  };
  for (const [name, entry, path] of entries('restrictedBool')) {
    const value = entry.value;
    if (value === undefined) continue;
    expectKind(value, 'boolean', `${path}.value`);
    out.restrictedBool[name] = value as boolean;
  }
  for (const [name, entry, path] of entries('restrictedValue')) {
    const value = optionalNumber(entry, 'value', path);
    if (value !== undefined) out.restrictedValue[name] = value;
  }
  for (const kind of ['intersection', 'union'] as const) {
    for (const [name, entry, path] of entries(kind)) {
      const values = optionalArray(entry, 'values', path);
      if (values === undefined) continue;
      values.forEach((v, i) => expectKind(v, 'string', `${path}.values[${i}]`));
      out[kind][name] = values as string[];
    }
  }
  return out;
}

/** The GlobalRestrictions (and ProfileRestrictions) of a Restrictions command's report. */
export function extractRestrictions(payload: PlistDict): RestrictionsResult {
  const global = restrictionSet(requiredDict(payload, 'GlobalRestrictions'), 'GlobalRestrictions');
  const byProfile = optionalDict(payload, 'ProfileRestrictions');
  let profiles: Record<string, RestrictionSet> | undefined;
  if (byProfile !== undefined) {
    profiles = {};
    for (const [identifier, value] of Object.entries(byProfile)) {
      const at = `ProfileRestrictions.${identifier}`;
      expectKind(value, 'dictionary', at);
      profiles[identifier] = restrictionSet(value as PlistDict, at);
    }
  }
  const raw: PlistDict = { GlobalRestrictions: payload.GlobalRestrictions as PlistValue };
  if (byProfile !== undefined) raw.ProfileRestrictions = byProfile;
  return withoutUndefined<RestrictionsResult>({ global, profiles, raw });
}
