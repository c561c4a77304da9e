import type { PlistDict, PlistValue } from '../plist/plist-codec.js';
import { MdmProtocolError } from './mdm-protocol-error.js';

/*
 * Typed reads of plist dictionaries sent by devices: a missing required key or a value of the wrong
 * type is an MdmProtocolError whose message names the key by its path (`ProfileList[2].PayloadUUID`).
 * Optional keys that are absent read as undefined.
 */

export function isPlistDict(value: PlistValue | undefined): value is PlistDict {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Date) &&
    !(value instanceof Uint8Array)
  );
}

/** The plist type of a value, as Apple's schema names them. */
export function plistTypeOf(value: PlistValue): string {
  if (Array.isArray(value)) return 'array';
  if (value instanceof Date) return 'date';
  if (value instanceof Uint8Array) return 'data';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'real';
  if (typeof value === 'object' && value !== null) return 'dictionary';
  return typeof value;
}

function keyPath(at: string, key: string): string {
  return at === '' ? key : `${at}.${key}`;
}

type Kind = 'string' | 'boolean' | 'integer' | 'number' | 'data' | 'date' | 'array' | 'dictionary';

function matches(kind: Kind, value: PlistValue): boolean {
  switch (kind) {
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'data':
      return value instanceof Uint8Array;
    case 'date':
      return value instanceof Date;
    case 'array':
      return Array.isArray(value);
    case 'dictionary':
      return isPlistDict(value);
  }
}

/** Throws WRONG_TYPE unless `value` is of `kind`; `path` names it in the message. */
export function expectKind(value: PlistValue, kind: Kind, path: string): void {
  if (!matches(kind, value)) {
    const expected = kind === 'number' ? 'integer or real' : kind;
    throw new MdmProtocolError(
      'WRONG_TYPE',
      `${path} must be ${/^[aeiou]/.test(expected) ? 'an' : 'a'} <${expected}>, found <${plistTypeOf(value)}>`,
      path,
    );
  }
}

function read(
  dict: PlistDict,
  key: string,
  at: string,
  kind: Kind,
  required: boolean,
): PlistValue | undefined {
  const value = Object.prototype.hasOwnProperty.call(dict, key) ? dict[key] : undefined;
  const path = keyPath(at, key);
  if (value === undefined) {
    if (required) throw new MdmProtocolError('MISSING_KEY', `required key ${path} is missing`, path);
    return undefined;
  }
  expectKind(value, kind, path);
  return value;
}

export function requiredString(dict: PlistDict, key: string, at = '', allowEmpty = false): string {
  const value = read(dict, key, at, 'string', true) as string;
  if (!allowEmpty && value.trim() === '') {
    const path = keyPath(at, key);
    throw new MdmProtocolError('INVALID_VALUE', `${path} must not be empty`, path);
  }
  return value;
}

export function optionalString(dict: PlistDict, key: string, at = ''): string | undefined {
  return read(dict, key, at, 'string', false) as string | undefined;
}

export function optionalBoolean(dict: PlistDict, key: string, at = ''): boolean | undefined {
  return read(dict, key, at, 'boolean', false) as boolean | undefined;
}

export function requiredInteger(dict: PlistDict, key: string, at = ''): number {
  return read(dict, key, at, 'integer', true) as number;
}

export function optionalInteger(dict: PlistDict, key: string, at = ''): number | undefined {
  return read(dict, key, at, 'integer', false) as number | undefined;
}

/** An <integer> or a <real>. */
export function optionalNumber(dict: PlistDict, key: string, at = ''): number | undefined {
  return read(dict, key, at, 'number', false) as number | undefined;
}

function toBuffer(value: Uint8Array): Buffer {
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

export function requiredData(dict: PlistDict, key: string, at = ''): Buffer {
  const value = toBuffer(read(dict, key, at, 'data', true) as Uint8Array);
  if (value.length === 0) {
    const path = keyPath(at, key);
    throw new MdmProtocolError('INVALID_VALUE', `${path} must not be empty`, path);
  }
  return value;
}

export function optionalData(dict: PlistDict, key: string, at = ''): Buffer | undefined {
  const value = read(dict, key, at, 'data', false) as Uint8Array | undefined;
  return value === undefined ? undefined : toBuffer(value);
}

export function optionalDate(dict: PlistDict, key: string, at = ''): Date | undefined {
  return read(dict, key, at, 'date', false) as Date | undefined;
}

export function requiredDict(dict: PlistDict, key: string, at = ''): PlistDict {
  return read(dict, key, at, 'dictionary', true) as PlistDict;
}

export function optionalDict(dict: PlistDict, key: string, at = ''): PlistDict | undefined {
  return read(dict, key, at, 'dictionary', false) as PlistDict | undefined;
}

export function requiredArray(dict: PlistDict, key: string, at = ''): PlistValue[] {
  return read(dict, key, at, 'array', true) as PlistValue[];
}

export function optionalArray(dict: PlistDict, key: string, at = ''): PlistValue[] | undefined {
  return read(dict, key, at, 'array', false) as PlistValue[] | undefined;
}

/** The path of an array element, for nested reads: `ProfileList[3]`. */
export function itemPath(at: string, key: string, index: number): string {
  return `${keyPath(at, key)}[${index}]`;
}
