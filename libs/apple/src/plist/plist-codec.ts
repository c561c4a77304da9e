import { build, parse, type PlistValue } from 'plist';

/*
 * A thin codec over the `plist` package (XML property lists only).
 *
 * Encoding is canonical: dictionary keys are written in code-unit order whatever order the object
 * was built in, so one value always encodes to the same bytes (profiles are hashed and signed).
 *
 * Decoding is hardened because plists arrive from phones (check-ins, command results) and from
 * uploads: the input size is capped before anything is parsed, and any DTD content (an internal
 * subset, <!ENTITY>, <!ELEMENT>, ...) is refused before the XML parser sees it (XXE / "billion
 * laughs"). Binary and OpenStep plists are refused too: Rempart never needs them, and each extra
 * format is extra attack surface.
 */

export type { PlistValue };
export type PlistDict = { [key: string]: PlistValue };

export type PlistErrorCode =
  | 'TOO_LARGE'
  | 'DTD_NOT_ALLOWED'
  | 'UNSUPPORTED_FORMAT'
  | 'INVALID_ENCODING'
  | 'MALFORMED'
  | 'NOT_A_DICTIONARY'
  | 'UNENCODABLE';

export class PlistError extends Error {
  override readonly name = 'PlistError';
  constructor(
    readonly code: PlistErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** 1 MiB: a 3,000-app restrictions profile or a large InstalledApplicationList fits with room to spare. */
export const DEFAULT_PLIST_MAX_BYTES = 1024 * 1024;

export interface DecodePlistOptions {
  /** Inputs larger than this many bytes (UTF-8) are refused before parsing. */
  maxBytes?: number;
}

export interface EncodePlistOptions {
  /** Indent with tabs like Apple's tools (default true); false writes one line. */
  pretty?: boolean;
}

/** Code-unit order: independent of locale and ICU version, so the output bytes never drift. */
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Returns a copy with sorted dictionary keys; refuses what a plist cannot faithfully carry. */
function canonicalize(value: unknown, path: string): PlistValue {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value))
        throw new PlistError('UNENCODABLE', `${path}: ${value} cannot be written to a plist`);
      return value;
    case 'object': {
      if (value === null) break;
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime())) throw new PlistError('UNENCODABLE', `${path}: invalid Date`);
        return value;
      }
      if (value instanceof Uint8Array) return value;
      if (Array.isArray(value)) return value.map((item, i) => canonicalize(item, `${path}[${i}]`));
      if (!isPlainObject(value)) {
        throw new PlistError(
          'UNENCODABLE',
          `${path}: only plain objects can be written as a plist dictionary`,
        );
      }
      const out: PlistDict = {};
      for (const key of Object.keys(value).sort(compareKeys)) {
        const item = (value as Record<string, unknown>)[key];
        // Absent optional keys are simply left out, as the plist package itself does.
        if (item === undefined || item === null) continue;
        out[key] = canonicalize(item, `${path}.${key}`);
      }
      return out;
    }
    default:
      break;
  }
  throw new PlistError(
    'UNENCODABLE',
    `${path}: ${value === null ? 'null' : typeof value} cannot be written to a plist`,
  );
}

/** Encodes a value as an XML plist (UTF-8 bytes), with dictionary keys in canonical order. */
export function encodePlist(value: PlistValue, options: EncodePlistOptions = {}): Buffer {
  const canonical = canonicalize(value, '$');
  let xml: string;
  try {
    xml =
      options.pretty === false
        ? build(canonical, { pretty: false })
        : build(canonical, { pretty: true, indent: '\t', newline: '\n' });
  } catch (error) {
    // xmlbuilder refuses characters XML 1.0 cannot carry (e.g. U+0000-U+0008).
    throw new PlistError('UNENCODABLE', `value cannot be written to a plist: ${(error as Error).message}`);
  }
  return Buffer.from(`${xml}\n`, 'utf8');
}

// The only DOCTYPE accepted: `<!DOCTYPE plist ...>` with optional PUBLIC/SYSTEM identifiers and no
// internal subset (`[...]`), which is where entity declarations live.
const QUOTED = `(?:"[^"<>\\[\\]]*"|'[^'<>\\[\\]]*')`;
const SAFE_DOCTYPE = new RegExp(
  `^<!DOCTYPE\\s+plist(?:\\s+(?:PUBLIC\\s+${QUOTED}\\s+${QUOTED}|SYSTEM\\s+${QUOTED}))?\\s*>`,
);

/** Refuses every markup declaration except comments, CDATA and one plain plist DOCTYPE. */
function refuseDtdContent(text: string): void {
  let doctypes = 0;
  for (let at = text.indexOf('<!'); at !== -1; at = text.indexOf('<!', at + 2)) {
    const rest = text.slice(at, at + 512);
    if (rest.startsWith('<!--') || rest.startsWith('<![CDATA[')) continue;
    if (/^<!ENTITY/i.test(rest)) {
      throw new PlistError(
        'DTD_NOT_ALLOWED',
        'plist refused: <!ENTITY> declarations are not allowed (XXE hardening)',
      );
    }
    if (/^<!DOCTYPE/i.test(rest)) {
      doctypes += 1;
      if (doctypes > 1 || !SAFE_DOCTYPE.test(rest)) {
        throw new PlistError(
          'DTD_NOT_ALLOWED',
          'plist refused: only a plain <!DOCTYPE plist PUBLIC "..." "..."> is allowed; internal DTD subsets are refused (XXE hardening)',
        );
      }
      continue;
    }
    throw new PlistError(
      'DTD_NOT_ALLOWED',
      `plist refused: markup declaration ${JSON.stringify(rest.slice(0, 12))} is not allowed`,
    );
  }
}

const BINARY_MAGIC = Buffer.from('bplist', 'latin1');

function toText(input: string | Uint8Array): string {
  if (typeof input === 'string') return input;
  if (Buffer.from(input.buffer, input.byteOffset, Math.min(input.byteLength, 6)).equals(BINARY_MAGIC)) {
    throw new PlistError('UNSUPPORTED_FORMAT', 'plist refused: binary plists are not accepted, send XML');
  }
  if (
    input.length >= 2 &&
    ((input[0] === 0xff && input[1] === 0xfe) || (input[0] === 0xfe && input[1] === 0xff))
  ) {
    throw new PlistError(
      'INVALID_ENCODING',
      'plist refused: only UTF-8 XML plists are accepted (found a UTF-16 byte order mark)',
    );
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(input);
  } catch {
    throw new PlistError('INVALID_ENCODING', 'plist refused: input is not valid UTF-8');
  }
}

/**
 * Parses an XML plist. Throws PlistError (never anything else) when the input is too large, carries
 * DTD declarations, is binary/OpenStep, is not UTF-8, or is not a well-formed plist.
 */
export function decodePlist(input: string | Uint8Array, options: DecodePlistOptions = {}): PlistValue {
  const maxBytes = options.maxBytes ?? DEFAULT_PLIST_MAX_BYTES;
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (size > maxBytes) {
    throw new PlistError('TOO_LARGE', `plist refused: ${size} bytes is over the ${maxBytes}-byte limit`);
  }
  const text = toText(input);
  const start = text.replace(/^\uFEFF/, '').trimStart();
  if (start.startsWith('bplist')) {
    throw new PlistError('UNSUPPORTED_FORMAT', 'plist refused: binary plists are not accepted, send XML');
  }
  if (!start.startsWith('<')) {
    throw new PlistError('UNSUPPORTED_FORMAT', 'plist refused: not an XML plist');
  }
  refuseDtdContent(text);

  // The plist package's XML parser (xmldom) reports recoverable errors such as an undefined entity
  // on console.error and carries on. Collect them instead (parse is synchronous) and treat any as fatal.
  const reported: string[] = [];
  const consoleError = console.error;
  console.error = (...args: unknown[]) => {
    reported.push(args.map(String).join(' '));
  };
  let value: PlistValue;
  try {
    value = parse(start);
  } catch (error) {
    const message =
      error instanceof RangeError ? 'nested too deeply' : String((error as Error)?.message ?? error);
    throw new PlistError('MALFORMED', `plist refused: ${message.split('\n')[0]}`);
  } finally {
    console.error = consoleError;
  }
  const firstError = reported.find((line) => !line.startsWith('[xmldom warning]'));
  if (firstError !== undefined) {
    throw new PlistError(
      'MALFORMED',
      `plist refused: ${firstError
        .replace(/^\[xmldom \w+\]\s*/, '')
        .split('\n')[0]
        .trim()}`,
    );
  }
  return value;
}

/** decodePlist() for documents whose root must be a dictionary (profiles, check-ins, command results). */
export function decodePlistDict(input: string | Uint8Array, options: DecodePlistOptions = {}): PlistDict {
  const value = decodePlist(input, options);
  if (
    typeof value !== 'object' ||
    value === null ||
    Array.isArray(value) ||
    value instanceof Date ||
    value instanceof Uint8Array
  ) {
    throw new PlistError('NOT_A_DICTIONARY', 'plist refused: the root element must be a <dict>');
  }
  return value;
}
