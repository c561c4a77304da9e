import { createHmac, timingSafeEqual } from 'node:crypto';

/*
 * How receivers authenticate Rempart's webhook calls. Each request carries
 *   Rempart-Timestamp: <unix seconds>
 *   Rempart-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>
 * A receiver recomputes the HMAC over the raw body bytes, compares in constant time, and refuses a
 * timestamp too far from its clock (a replayed request).
 */

export const SIGNATURE_HEADER = 'rempart-signature';
export const TIMESTAMP_HEADER = 'rempart-timestamp';
export const EVENT_HEADER = 'rempart-event';
export const DELIVERY_HEADER = 'rempart-delivery';
const SCHEME = 'v1';

export function signWebhook(secret: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
  return `${SCHEME}=${mac}`;
}

/** What a receiver does (and what the tests do). */
export function verifyWebhook(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  body: string,
  options: { now?: number; toleranceSeconds?: number } = {},
): boolean {
  const timestamp = Number(headers.timestamp);
  if (!Number.isInteger(timestamp) || !headers.signature) return false;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const given = Buffer.from(headers.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
