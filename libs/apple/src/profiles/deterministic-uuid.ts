import { createHash } from 'node:crypto';

/**
 * Rempart's UUID namespace (a random v4 UUID fixed once; never change it, or every profile UUID
 * changes and phones see every policy version as new).
 */
export const REMPART_UUID_NAMESPACE = '08619a0e-f8d1-43cc-b832-90ff1d87c2fb';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A name-based UUID, version 5 (RFC 9562 §5.5: SHA-1 of namespace + name, truncated, version and
 * variant bits set). SHA-1 is fine here: the UUID names a payload, it protects nothing. Upper-case,
 * as Apple's tools write PayloadUUIDs.
 */
export function uuidV5(name: string, namespace: string = REMPART_UUID_NAMESPACE): string {
  if (!UUID_PATTERN.test(namespace)) throw new TypeError(`not a UUID: ${namespace}`);
  const digest = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  const bytes = digest.subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex').toUpperCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
