/*
 * A minimal ASN.1 DER writer and BER/DER reader for the simulator's CMS and SCEP code.
 *
 * The reader keeps each element's raw bytes (signatures are checked over the bytes as sent, never
 * over a re-encoding) and accepts BER indefinite lengths, which some CMS producers emit.
 */

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
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

export class DerError extends Error {
  override readonly name = 'DerError';
}

// ---------------------------------------------------------------------------------------------
// Writing

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One TLV; `tag` is the whole identifier octet (e.g. 0x30 for SEQUENCE, 0xa0 for [0] constructed). */
export function tlv(tag: number, content: Buffer | readonly Buffer[]): Buffer {
  const body = Buffer.isBuffer(content) ? content : Buffer.concat(content as Buffer[]);
  return Buffer.concat([Buffer.from([tag]), encodeLength(body.length), body]);
}

export const sequence = (...items: Buffer[]): Buffer => tlv(TAG.SEQUENCE, items);

/** SET OF in DER order (X.690 §11.6: members sorted by their encodings). */
export function setOf(...items: Buffer[]): Buffer {
  return tlv(TAG.SET, [...items].sort(Buffer.compare));
}

/** Context-specific tag `[n]`, constructed (EXPLICIT, or IMPLICIT over a constructed type) or primitive. */
export function contextTag(n: number, content: Buffer | readonly Buffer[], constructed = true): Buffer {
  return tlv((constructed ? 0xa0 : 0x80) | n, content);
}

export const derNull = (): Buffer => Buffer.from([TAG.NULL, 0]);
export const octetString = (bytes: Uint8Array): Buffer => tlv(TAG.OCTET_STRING, Buffer.from(bytes));
export const utf8String = (text: string): Buffer => tlv(TAG.UTF8_STRING, Buffer.from(text, 'utf8'));
export const printableString = (text: string): Buffer =>
  tlv(TAG.PRINTABLE_STRING, Buffer.from(text, 'latin1'));
/** A BIT STRING with no unused bits. */
export const bitString = (bytes: Uint8Array): Buffer =>
  tlv(TAG.BIT_STRING, Buffer.concat([Buffer.from([0]), Buffer.from(bytes)]));

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;
/** PrintableString when the text fits its alphabet, UTF8String otherwise (a DirectoryString either way). */
export function directoryString(text: string): Buffer {
  return PRINTABLE.test(text) ? printableString(text) : utf8String(text);
}

/** A non-negative INTEGER from a number or big-endian unsigned bytes. */
export function integer(value: number | Uint8Array): Buffer {
  let bytes: Buffer;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) throw new DerError(`cannot encode integer ${value}`);
    const out: number[] = [];
    for (let n = value; n > 0; n = Math.floor(n / 256)) out.unshift(n & 0xff);
    bytes = Buffer.from(out.length === 0 ? [0] : out);
  } else {
    let start = 0;
    while (start < value.length - 1 && value[start] === 0) start += 1;
    bytes = Buffer.from(value.subarray(start));
    if (bytes.length === 0) bytes = Buffer.from([0]);
  }
  if (bytes[0] & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(TAG.INTEGER, bytes);
}

export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map((arc) => {
    if (!/^\d+$/.test(arc)) throw new DerError(`invalid OID ${dotted}`);
    return BigInt(arc);
  });
  if (arcs.length < 2) throw new DerError(`invalid OID ${dotted}`);
  const values = [arcs[0] * 40n + arcs[1], ...arcs.slice(2)];
  const out: number[] = [];
  for (const value of values) {
    const group: number[] = [Number(value & 0x7fn)];
    for (let v = value >> 7n; v > 0n; v >>= 7n) group.unshift(Number(v & 0x7fn) | 0x80);
    out.push(...group);
  }
  return tlv(TAG.OID, Buffer.from(out));
}

/** RFC 5280 §4.1.2.5: UTCTime up to 2049, GeneralizedTime from 2050. */
export function time(date: Date): Buffer {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:mm:ss.sssZ
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '');
  const year = date.getUTCFullYear();
  return year >= 1950 && year < 2050
    ? tlv(TAG.UTC_TIME, Buffer.from(`${digits.slice(2)}Z`, 'latin1'))
    : tlv(TAG.GENERALIZED_TIME, Buffer.from(`${digits}Z`, 'latin1'));
}

// ---------------------------------------------------------------------------------------------
// Reading

export interface DerNode {
  /** Identifier octet (low tag numbers only, which is all CMS/X.509 use). */
  tag: number;
  tagClass: 'universal' | 'application' | 'context' | 'private';
  tagNumber: number;
  constructed: boolean;
  /** The whole element as sent (header + content [+ end-of-contents]). */
  raw: Buffer;
  /** Content octets (for an indefinite-length element: the children, without the end-of-contents). */
  content: Buffer;
  /** Parsed children of a constructed element. */
  children: DerNode[];
}

const CLASSES = ['universal', 'application', 'context', 'private'] as const;

function readNode(buf: Buffer, offset: number, depth: number): { node: DerNode; end: number } {
  if (depth > 64) throw new DerError('ASN.1 nested too deeply');
  if (offset + 2 > buf.length) throw new DerError('truncated ASN.1 element');
  const tag = buf[offset];
  if ((tag & 0x1f) === 0x1f) throw new DerError('high tag numbers are not supported');
  const constructed = (tag & 0x20) !== 0;
  let pos = offset + 1;
  const first = buf[pos++];
  let length: number | undefined;
  if (first < 0x80) length = first;
  else if (first === 0x80) {
    if (!constructed) throw new DerError('indefinite length on a primitive element');
  } else {
    const count = first & 0x7f;
    if (count > 4 || pos + count > buf.length) throw new DerError('invalid ASN.1 length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + buf[pos++];
  }
  const children: DerNode[] = [];
  let end: number;
  let contentEnd: number;
  if (length === undefined) {
    let at = pos;
    for (;;) {
      if (at + 2 > buf.length) throw new DerError('unterminated indefinite-length element');
      if (buf[at] === 0 && buf[at + 1] === 0) break;
      const child = readNode(buf, at, depth + 1);
      children.push(child.node);
      at = child.end;
    }
    contentEnd = at;
    end = at + 2;
  } else {
    contentEnd = pos + length;
    end = contentEnd;
    if (end > buf.length) throw new DerError('truncated ASN.1 element');
    if (constructed) {
      for (let at = pos; at < contentEnd;) {
        const child = readNode(buf.subarray(0, contentEnd), at, depth + 1);
        children.push(child.node);
        at = child.end;
      }
    }
  }
  return {
    node: {
      tag,
      tagClass: CLASSES[tag >> 6],
      tagNumber: tag & 0x1f,
      constructed,
      raw: buf.subarray(offset, end),
      content: buf.subarray(pos, contentEnd),
      children,
    },
    end,
  };
}

/** Parses one element that must span the whole buffer. */
export function parseDer(input: Uint8Array, what = 'ASN.1 data'): DerNode {
  const buf = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  try {
    const { node, end } = readNode(buf, 0, 0);
    if (end !== buf.length) throw new DerError(`${buf.length - end} trailing bytes`);
    return node;
  } catch (error) {
    throw new DerError(`${what} is not valid DER/BER: ${(error as Error).message}`);
  }
}

/** The child at `index`, checking its tag; throws a DerError naming `what` otherwise. */
export function child(node: DerNode, index: number, tag: number | undefined, what: string): DerNode {
  const found = node.children[index];
  if (found === undefined || (tag !== undefined && found.tag !== tag)) {
    throw new DerError(`${what}: unexpected ASN.1 structure`);
  }
  return found;
}

export function expectTag(node: DerNode, tag: number, what: string): DerNode {
  if (node.tag !== tag)
    throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, got 0x${node.tag.toString(16)}`);
  return node;
}

export function readOid(node: DerNode): string {
  if (node.tag !== TAG.OID) throw new DerError('expected an OBJECT IDENTIFIER');
  const arcs: bigint[] = [];
  let value = 0n;
  for (const byte of node.content) {
    value = (value << 7n) | BigInt(byte & 0x7f);
    if ((byte & 0x80) === 0) {
      arcs.push(value);
      value = 0n;
    }
  }
  if (arcs.length === 0) throw new DerError('empty OBJECT IDENTIFIER');
  const first = arcs[0] < 80n ? arcs[0] / 40n : 2n;
  return [first, arcs[0] - first * 40n, ...arcs.slice(1)].join('.');
}

export function readInteger(node: DerNode): bigint {
  if (node.tag !== TAG.INTEGER) throw new DerError('expected an INTEGER');
  return BigInt.asIntN(node.content.length * 8, BigInt(`0x${node.content.toString('hex') || '0'}`));
}

/** The octets of an OCTET STRING, joining the segments of a BER constructed one. */
export function readOctets(node: DerNode): Buffer {
  if (node.tag === TAG.OCTET_STRING) return Buffer.from(node.content);
  if (node.tag === (TAG.OCTET_STRING | 0x20)) return Buffer.concat(node.children.map(readOctets));
  throw new DerError('expected an OCTET STRING');
}

/** Text of a string-typed element (PrintableString, UTF8String, IA5String, ...). */
export function readString(node: DerNode): string {
  switch (node.tag) {
    case TAG.UTF8_STRING:
      return node.content.toString('utf8');
    case TAG.BMP_STRING:
      return Buffer.from(node.content).swap16().toString('utf16le');
    case TAG.PRINTABLE_STRING:
    case TAG.IA5_STRING:
    case TAG.T61_STRING:
      return node.content.toString('latin1');
    default:
      throw new DerError(`expected a string, got tag 0x${node.tag.toString(16)}`);
  }
}
