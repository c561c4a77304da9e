import forge from 'node-forge';

/*
 * A minimal ASN.1 BER/DER reader that keeps byte offsets. CMS verification needs the exact bytes
 * that were signed (the signed attributes) and that were issued (each embedded certificate):
 * re-encoding a parsed tree, as node-forge does, would silently normalise non-minimal integers and
 * lose them. Indefinite lengths (BER) are accepted for constructed values, because Apple's CMS
 * encoder and `openssl cms -stream` write them; DER-only structures are still read byte for byte.
 * Every bound is checked, nesting is capped, and every failure is a DerError.
 */

export class DerError extends Error {
  override readonly name = 'DerError';
}

export const TagClass = { UNIVERSAL: 0, APPLICATION: 1, CONTEXT: 2, PRIVATE: 3 } as const;
export const UniversalTag = {
  BOOLEAN: 1,
  INTEGER: 2,
  BIT_STRING: 3,
  OCTET_STRING: 4,
  NULL: 5,
  OID: 6,
  UTF8_STRING: 12,
  SEQUENCE: 16,
  SET: 17,
  PRINTABLE_STRING: 19,
  T61_STRING: 20,
  IA5_STRING: 22,
  UTC_TIME: 23,
  GENERALIZED_TIME: 24,
  UNIVERSAL_STRING: 28,
  BMP_STRING: 30,
} as const;

const MAX_DEPTH = 40;

export interface Tlv {
  readonly cls: number;
  readonly constructed: boolean;
  readonly tag: number;
  /** Offset of the identifier octet. */
  readonly start: number;
  readonly contentStart: number;
  /** End of the contents (before the end-of-contents octets of an indefinite length). */
  readonly contentEnd: number;
  /** Offset just past the element. */
  readonly end: number;
  readonly indefinite: boolean;
}

export class DerReader {
  constructor(readonly buffer: Buffer) {}

  /** Reads the single element that must fill the whole buffer. */
  root(): Tlv {
    const tlv = this.read(0, this.buffer.length, 0);
    if (tlv.end !== this.buffer.length) throw new DerError('trailing bytes after the ASN.1 value');
    return tlv;
  }

  private read(offset: number, limit: number, depth: number): Tlv {
    if (depth > MAX_DEPTH) throw new DerError('ASN.1 nested too deeply');
    const buf = this.buffer;
    let p = offset;
    if (p >= limit) throw new DerError('truncated ASN.1 value');
    const first = buf[p++];
    const cls = first >> 6;
    const constructed = (first & 0x20) !== 0;
    let tag = first & 0x1f;
    if (tag === 0x1f) {
      tag = 0;
      for (let i = 0; ; i += 1) {
        if (p >= limit || i >= 4) throw new DerError('bad ASN.1 tag');
        const b = buf[p++];
        tag = tag * 128 + (b & 0x7f);
        if ((b & 0x80) === 0) break;
      }
    }
    if (p >= limit) throw new DerError('truncated ASN.1 length');
    const lengthByte = buf[p++];
    if (lengthByte === 0x80) {
      if (!constructed) throw new DerError('indefinite length on a primitive ASN.1 value');
      const contentStart = p;
      for (;;) {
        if (p + 2 > limit) throw new DerError('unterminated indefinite-length ASN.1 value');
        if (buf[p] === 0 && buf[p + 1] === 0) break;
        p = this.read(p, limit, depth + 1).end;
      }
      return {
        cls,
        constructed,
        tag,
        start: offset,
        contentStart,
        contentEnd: p,
        end: p + 2,
        indefinite: true,
      };
    }
    let length = lengthByte;
    if (lengthByte > 0x80) {
      const count = lengthByte & 0x7f;
      if (count > 4) throw new DerError('ASN.1 length too large');
      length = 0;
      for (let i = 0; i < count; i += 1) {
        if (p >= limit) throw new DerError('truncated ASN.1 length');
        length = length * 256 + buf[p++];
      }
    }
    const contentStart = p;
    const contentEnd = contentStart + length;
    if (contentEnd > limit) throw new DerError('ASN.1 length runs past the end of its container');
    return {
      cls,
      constructed,
      tag,
      start: offset,
      contentStart,
      contentEnd,
      end: contentEnd,
      indefinite: false,
    };
  }

  /** The elements inside a constructed value. */
  children(tlv: Tlv | undefined, depth = 0): Tlv[] {
    if (tlv === undefined) throw new DerError('missing ASN.1 value');
    if (!tlv.constructed) throw new DerError('expected a constructed ASN.1 value');
    const out: Tlv[] = [];
    for (let p = tlv.contentStart; p < tlv.contentEnd;) {
      const child = this.read(p, tlv.contentEnd, depth + 1);
      out.push(child);
      p = child.end;
    }
    return out;
  }

  /** The element's full encoding (identifier, length, contents). */
  bytes(tlv: Tlv): Buffer {
    return this.buffer.subarray(tlv.start, tlv.end);
  }

  /** The contents octets of a primitive value. */
  content(tlv: Tlv): Buffer {
    return this.buffer.subarray(tlv.contentStart, tlv.contentEnd);
  }

  is(tlv: Tlv | undefined, cls: number, tag: number): boolean {
    return tlv !== undefined && tlv.cls === cls && tlv.tag === tag;
  }

  expect(tlv: Tlv | undefined, cls: number, tag: number, what: string): Tlv {
    if (tlv === undefined) throw new DerError(`${what}: missing`);
    if (!this.is(tlv, cls, tag)) throw new DerError(`${what}: unexpected ASN.1 tag`);
    return tlv;
  }

  sequence(tlv: Tlv | undefined, what: string): Tlv[] {
    return this.children(this.expect(tlv, TagClass.UNIVERSAL, UniversalTag.SEQUENCE, what));
  }

  set(tlv: Tlv | undefined, what: string): Tlv[] {
    return this.children(this.expect(tlv, TagClass.UNIVERSAL, UniversalTag.SET, what));
  }

  oid(tlv: Tlv | undefined, what: string): string {
    tlv = this.expect(tlv, TagClass.UNIVERSAL, UniversalTag.OID, what);
    if (tlv.constructed) throw new DerError(`${what}: constructed OID`);
    return decodeOid(this.content(tlv), what);
  }

  /** An OCTET STRING's octets (the pieces of a BER constructed one are joined). */
  octets(tlv: Tlv | undefined, what: string, depth = 0): Buffer {
    tlv = this.expect(tlv, TagClass.UNIVERSAL, UniversalTag.OCTET_STRING, what);
    if (!tlv.constructed) return this.content(tlv);
    if (depth > 4) throw new DerError(`${what}: OCTET STRING nested too deeply`);
    return Buffer.concat(this.children(tlv).map((piece) => this.octets(piece, what, depth + 1)));
  }

  /** UTCTime or GeneralizedTime. */
  time(tlv: Tlv | undefined, what: string): Date {
    if (tlv === undefined) throw new DerError(`${what}: missing`);
    const text = this.content(tlv).toString('latin1');
    let date: Date;
    if (this.is(tlv, TagClass.UNIVERSAL, UniversalTag.UTC_TIME)) date = forge.asn1.utcTimeToDate(text);
    else if (this.is(tlv, TagClass.UNIVERSAL, UniversalTag.GENERALIZED_TIME))
      date = forge.asn1.generalizedTimeToDate(text);
    else throw new DerError(`${what}: not a time`);
    if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new DerError(`${what}: invalid time`);
    return date;
  }

  /** A directory string (UTF8String, PrintableString, IA5String, T61String, BMPString) as text. */
  string(tlv: Tlv | undefined, what: string): string {
    if (tlv === undefined) throw new DerError(`${what}: missing`);
    if (tlv.cls !== TagClass.UNIVERSAL || tlv.constructed) throw new DerError(`${what}: not a string`);
    const content = this.content(tlv);
    switch (tlv.tag) {
      case UniversalTag.UTF8_STRING:
        return new TextDecoder('utf-8', { fatal: true }).decode(content);
      case UniversalTag.PRINTABLE_STRING:
      case UniversalTag.IA5_STRING:
      case UniversalTag.T61_STRING:
        return content.toString('latin1');
      case UniversalTag.BMP_STRING: {
        if (content.length % 2 !== 0) throw new DerError(`${what}: bad BMPString`);
        const swapped = Buffer.from(content);
        swapped.swap16();
        return swapped.toString('utf16le');
      }
      default:
        throw new DerError(`${what}: unsupported string type`);
    }
  }
}

export function decodeOid(bytes: Buffer, what = 'OID'): string {
  if (bytes.length === 0 || bytes.length > 64 || (bytes[bytes.length - 1] & 0x80) !== 0) {
    throw new DerError(`${what}: bad OID`);
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

/** DER identifier + length octets for a definite-length value. */
export function derHeader(identifier: number, length: number): Buffer {
  if (length < 0x80) return Buffer.from([identifier, length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Buffer.from([identifier, 0x80 | bytes.length, ...bytes]);
}

/** The TBSCertificate fields located in a certificate's DER (exact bytes). */
export function readCertificateFields(der: Buffer): {
  serial: Buffer;
  issuer: Buffer;
  subject: Buffer;
  /** The SubjectKeyIdentifier extension's key identifier, if any. */
  subjectKeyIdentifier?: Buffer;
  reader: DerReader;
  subjectTlv: Tlv;
} {
  const reader = new DerReader(der);
  const [tbs] = reader.sequence(reader.root(), 'Certificate');
  if (tbs === undefined) throw new DerError('Certificate: empty');
  const fields = reader.sequence(tbs, 'TBSCertificate');
  let i = reader.is(fields[0], TagClass.CONTEXT, 0) ? 1 : 0;
  const serialTlv = reader.expect(fields[i++], TagClass.UNIVERSAL, UniversalTag.INTEGER, 'serialNumber');
  i += 1; // signature AlgorithmIdentifier
  const issuerTlv = reader.expect(fields[i++], TagClass.UNIVERSAL, UniversalTag.SEQUENCE, 'issuer');
  i += 1; // validity
  const subjectTlv = reader.expect(fields[i++], TagClass.UNIVERSAL, UniversalTag.SEQUENCE, 'subject');
  let subjectKeyIdentifier: Buffer | undefined;
  for (const field of fields.slice(i)) {
    if (!reader.is(field, TagClass.CONTEXT, 3) || !field.constructed) continue;
    const [extensions] = reader.children(field);
    for (const extension of reader.sequence(extensions, 'Extensions')) {
      const parts = reader.sequence(extension, 'Extension');
      if (reader.oid(parts[0], 'extnID') !== '2.5.29.14') continue;
      const value = reader.octets(parts[parts.length - 1], 'extnValue');
      const inner = new DerReader(value);
      subjectKeyIdentifier = inner.octets(inner.root(), 'SubjectKeyIdentifier');
    }
  }
  return {
    serial: reader.content(serialTlv),
    issuer: reader.bytes(issuerTlv),
    subject: reader.bytes(subjectTlv),
    subjectKeyIdentifier,
    reader,
    subjectTlv,
  };
}
