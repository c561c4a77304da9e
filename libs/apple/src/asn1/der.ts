import forge from 'node-forge';

/*
 * A small ASN.1 BER/DER reader/writer over Buffers, shared by the MDM request authentication
 * (CMS SignedData verification) and SCEP.
 *
 * Reading: signatures cover bytes exactly as the peer encoded them (CMS signed attributes, each
 * embedded certificate, the CSR's CertificationRequestInfo) and responses must echo some of them
 * exactly (the requester's issuer name and serial number, which a client compares byte for byte).
 * forge's parser rebuilds values and re-encodes them on output (it drops leading zeros of
 * integers, decodes BMPStrings...), so the reader here keeps the byte span of every element
 * instead. It also accepts the BER that CMS encoders stream (Apple's CMS encoder, `openssl cms
 * -stream`): indefinite lengths and constructed OCTET STRINGs. Every bound is checked, nesting is
 * capped, and every failure is a DerError. forge still does the time conversions.
 *
 * Writing: plain concatenation of TLVs, so exact bytes taken from a request or a certificate can
 * be embedded as they are.
 */

/** Thrown by the reader on malformed input; callers turn it into their own error (MdmAuthError, ScepError, failInfo). */
export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerError';
  }
}

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  T61_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  VISIBLE_STRING: 0x1a,
  UNIVERSAL_STRING: 0x1c,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

const MAX_DEPTH = 48;

export interface Tlv {
  readonly buf: Buffer;
  /** First identifier octet (class, constructed bit and low tag number), e.g. 0x30, 0xa0, 0x80. */
  readonly tag: number;
  /** 0 universal, 1 application, 2 context-specific, 3 private. */
  readonly cls: number;
  readonly constructed: boolean;
  readonly tagNumber: number;
  readonly start: number;
  readonly contentStart: number;
  /** End of the contents (before the end-of-contents octets of an indefinite length). */
  readonly contentEnd: number;
  readonly end: number;
  readonly indefinite: boolean;
  /** Parsed children of a constructed element. */
  readonly children: Tlv[];
}

function readTlv(buf: Buffer, offset: number, limit: number, depth: number): Tlv {
  if (depth > MAX_DEPTH) throw new DerError('ASN.1 nesting is too deep');
  let pos = offset;
  const need = (n: number): void => {
    if (pos + n > limit) throw new DerError('truncated ASN.1 element');
  };
  need(2);
  const tag = buf[pos++];
  const cls = tag >> 6;
  const constructed = (tag & 0x20) !== 0;
  let tagNumber = tag & 0x1f;
  if (tagNumber === 0x1f) {
    tagNumber = 0;
    for (let i = 0; ; i++) {
      need(1);
      const b = buf[pos++];
      if (i >= 4) throw new DerError('ASN.1 tag number is too large');
      tagNumber = tagNumber * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) break;
    }
  }
  need(1);
  const first = buf[pos++];
  let length: number | undefined;
  if (first < 0x80) {
    length = first;
  } else if (first === 0x80) {
    if (!constructed) throw new DerError('indefinite length on a primitive ASN.1 element');
    length = undefined;
  } else {
    const count = first & 0x7f;
    if (count > 4) throw new DerError('ASN.1 length is too large');
    need(count);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + buf[pos++];
  }
  const contentStart = pos;
  const children: Tlv[] = [];
  if (length === undefined) {
    for (;;) {
      need(2);
      if (buf[pos] === 0 && buf[pos + 1] === 0) break;
      const child = readTlv(buf, pos, limit, depth + 1);
      children.push(child);
      pos = child.end;
    }
    return {
      buf,
      tag,
      cls,
      constructed,
      tagNumber,
      start: offset,
      contentStart,
      contentEnd: pos,
      end: pos + 2,
      indefinite: true,
      children,
    };
  }
  const contentEnd = contentStart + length;
  if (contentEnd > limit) throw new DerError('truncated ASN.1 element');
  if (constructed) {
    pos = contentStart;
    while (pos < contentEnd) {
      const child = readTlv(buf, pos, contentEnd, depth + 1);
      children.push(child);
      pos = child.end;
    }
  }
  return {
    buf,
    tag,
    cls,
    constructed,
    tagNumber,
    start: offset,
    contentStart,
    contentEnd,
    end: contentEnd,
    indefinite: false,
    children,
  };
}

/** Parses one element that must span all of `buf`. */
export function parseTlv(buf: Buffer): Tlv {
  if (buf.length === 0) throw new DerError('empty ASN.1 input');
  const tlv = readTlv(buf, 0, buf.length, 0);
  if (tlv.end !== buf.length) throw new DerError('trailing bytes after the ASN.1 element');
  return tlv;
}

export function describeTag(tag: number): string {
  return `0x${tag.toString(16).padStart(2, '0')}`;
}

/** Checks the identifier octet; returns the element for chaining. */
export function expectTag(tlv: Tlv | undefined, tag: number, what: string): Tlv {
  if (tlv === undefined) throw new DerError(`${what} is missing`);
  if (tlv.tag !== tag) {
    throw new DerError(`${what}: expected tag ${describeTag(tag)}, found ${describeTag(tlv.tag)}`);
  }
  return tlv;
}

/** The whole element (identifier, length, contents) as encoded. */
export function tlvBytes(tlv: Tlv): Buffer {
  return tlv.buf.subarray(tlv.start, tlv.end);
}

/** The contents octets of a primitive element. */
export function contentBytes(tlv: Tlv): Buffer {
  if (tlv.constructed) throw new DerError(`expected a primitive element, found ${describeTag(tlv.tag)}`);
  return tlv.buf.subarray(tlv.contentStart, tlv.contentEnd);
}

/** An OCTET STRING's value, primitive (DER) or constructed from chunks (BER). */
export function expectOctetString(tlv: Tlv | undefined, what: string): Buffer {
  if (tlv === undefined) throw new DerError(`${what} is missing`);
  if ((tlv.tag & ~0x20) !== TAG.OCTET_STRING) {
    throw new DerError(`${what}: expected an OCTET STRING, found ${describeTag(tlv.tag)}`);
  }
  return octetStringValue(tlv);
}

/** The value of an OCTET STRING (or an implicitly tagged one), including BER constructed chunks. */
export function octetStringValue(tlv: Tlv): Buffer {
  if (!tlv.constructed) return contentBytes(tlv);
  return Buffer.concat(
    tlv.children.map((chunk) => {
      if ((chunk.tag & ~0x20) !== TAG.OCTET_STRING)
        throw new DerError('a BER OCTET STRING chunk is not an OCTET STRING');
      return octetStringValue(chunk);
    }),
  );
}

/** Re-encodes a constructed element under another identifier octet (e.g. [0] IMPLICIT SET → SET), keeping the contents. */
export function retag(tlv: Tlv, tag: number): Buffer {
  if (tlv.indefinite) return tlv_(tag, tlv.children.map(tlvBytes));
  return tlv_(tag, tlv.buf.subarray(tlv.contentStart, tlv.contentEnd));
}

export function oidValue(tlv: Tlv | undefined, what = 'OBJECT IDENTIFIER'): string {
  return decodeOid(contentBytes(expectTag(tlv, TAG.OID, what)), what);
}

/** The dotted form of an OID's contents octets. */
export function decodeOid(bytes: Buffer, what = 'OBJECT IDENTIFIER'): string {
  if (bytes.length === 0 || bytes.length > 64 || (bytes[bytes.length - 1] & 0x80) !== 0) {
    throw new DerError(`${what}: malformed OID`);
  }
  const arcs: number[] = [];
  let value = 0;
  for (const b of bytes) {
    value = value * 128 + (b & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 256) throw new DerError(`${what}: OID arc too large`);
    if ((b & 0x80) === 0) {
      if (arcs.length === 0) {
        const first = value < 40 ? 0 : value < 80 ? 1 : 2;
        arcs.push(first, value - first * 40);
      } else {
        arcs.push(value);
      }
      value = 0;
    }
  }
  return arcs.join('.');
}

/** A UTCTime or GeneralizedTime. */
export function timeValue(tlv: Tlv | undefined, what: string): Date {
  if (tlv === undefined) throw new DerError(`${what} is missing`);
  let date: Date;
  if (tlv.tag === TAG.UTC_TIME) date = forge.asn1.utcTimeToDate(contentBytes(tlv).toString('latin1'));
  else if (tlv.tag === TAG.GENERALIZED_TIME)
    date = forge.asn1.generalizedTimeToDate(contentBytes(tlv).toString('latin1'));
  else throw new DerError(`${what}: expected a time, found ${describeTag(tlv.tag)}`);
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new DerError(`${what}: invalid time`);
  return date;
}

/** An INTEGER's contents without redundant leading zero octets (for comparisons). */
export function integerMagnitude(tlv: Tlv): Buffer {
  expectTag(tlv, TAG.INTEGER, 'INTEGER');
  let bytes = contentBytes(tlv);
  if (bytes.length === 0) throw new DerError('empty INTEGER');
  while (bytes.length > 1 && bytes[0] === 0) bytes = bytes.subarray(1);
  return bytes;
}

export function smallInteger(tlv: Tlv): number {
  const bytes = integerMagnitude(tlv);
  if (bytes.length > 4 || (bytes[0] & 0x80) !== 0) throw new DerError('INTEGER out of range');
  return bytes.readUIntBE(0, bytes.length);
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** Decodes the string types found in names and attributes; undefined for other tags. */
export function stringValue(tlv: Tlv): string | undefined {
  const bytes = tlv.constructed ? octetStringValue(tlv) : contentBytes(tlv);
  switch (tlv.tag & ~0x20) {
    case TAG.UTF8_STRING:
      try {
        return utf8Decoder.decode(bytes);
      } catch {
        throw new DerError('invalid UTF-8 in a UTF8String');
      }
    case TAG.PRINTABLE_STRING:
    case TAG.IA5_STRING:
    case TAG.VISIBLE_STRING:
    case TAG.T61_STRING:
      return bytes.toString('latin1');
    case TAG.BMP_STRING: {
      if (bytes.length % 2 !== 0) throw new DerError('odd length BMPString');
      const swapped = Buffer.from(bytes);
      swapped.swap16();
      return swapped.toString('utf16le');
    }
    case TAG.UNIVERSAL_STRING: {
      if (bytes.length % 4 !== 0) throw new DerError('bad length UniversalString');
      let out = '';
      for (let i = 0; i < bytes.length; i += 4) out += String.fromCodePoint(bytes.readUInt32BE(i));
      return out;
    }
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Writing

function lengthOctets(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv_(tag: number, content: Buffer | Buffer[]): Buffer {
  const body = Array.isArray(content) ? Buffer.concat(content) : content;
  return Buffer.concat([Buffer.from([tag]), lengthOctets(body.length), body]);
}

/** One TLV with a single-octet identifier. */
export const encode = tlv_;

export function sequence(...items: Buffer[]): Buffer {
  return tlv_(TAG.SEQUENCE, items);
}

export function set(...items: Buffer[]): Buffer {
  return tlv_(TAG.SET, items);
}

/** DER SET OF: members sorted by their encodings (X.690 §11.6). */
export function derSetOf(items: Buffer[], tag: number = TAG.SET): Buffer {
  return tlv_(tag, [...items].sort(Buffer.compare));
}

export function oid(value: string): Buffer {
  return tlv_(TAG.OID, Buffer.from(forge.asn1.oidToDer(value).getBytes(), 'binary'));
}

/** An INTEGER from a non-negative number or from big-endian unsigned magnitude bytes. */
export function integer(value: number | Buffer): Buffer {
  let bytes: Buffer;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0)
      throw new RangeError('integer() takes a non-negative safe integer');
    const hex = value.toString(16);
    bytes = Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex');
  } else {
    bytes = value.length === 0 ? Buffer.from([0]) : value;
    let i = 0;
    while (i < bytes.length - 1 && bytes[i] === 0 && (bytes[i + 1] & 0x80) === 0) i++;
    bytes = bytes.subarray(i);
  }
  if ((bytes[0] & 0x80) !== 0) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv_(TAG.INTEGER, bytes);
}

export function octetString(value: Buffer): Buffer {
  return tlv_(TAG.OCTET_STRING, value);
}

export function bitString(value: Buffer, unusedBits = 0): Buffer {
  return tlv_(TAG.BIT_STRING, [Buffer.from([unusedBits]), value]);
}

export function printableString(value: string): Buffer {
  return tlv_(TAG.PRINTABLE_STRING, Buffer.from(value, 'latin1'));
}

export function utf8String(value: string): Buffer {
  return tlv_(TAG.UTF8_STRING, Buffer.from(value, 'utf8'));
}

export const NULL = Buffer.from([TAG.NULL, 0]);

export const BOOLEAN_TRUE = Buffer.from([TAG.BOOLEAN, 1, 0xff]);

/** [n] EXPLICIT (constructed context-specific) around `items`. */
export function explicit(tagNumber: number, ...items: Buffer[]): Buffer {
  return tlv_(0xa0 | tagNumber, items);
}

/** [n] IMPLICIT: `constructed` for SETs/SEQUENCEs, primitive for OCTET STRINGs and the like. */
export function implicit(tagNumber: number, constructed: boolean, content: Buffer | Buffer[]): Buffer {
  return tlv_((constructed ? 0xa0 : 0x80) | tagNumber, content);
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
export function time(date: Date): Buffer {
  const year = date.getUTCFullYear();
  return year >= 1950 && year < 2050
    ? tlv_(TAG.UTC_TIME, Buffer.from(forge.asn1.dateToUtcTime(date), 'latin1'))
    : tlv_(TAG.GENERALIZED_TIME, Buffer.from(forge.asn1.dateToGeneralizedTime(date), 'latin1'));
}

export function algorithmIdentifier(algorithm: string, parameters?: Buffer): Buffer {
  return parameters === undefined ? sequence(oid(algorithm)) : sequence(oid(algorithm), parameters);
}
