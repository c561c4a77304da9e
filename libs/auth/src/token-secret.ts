import { createHash, randomBytes } from 'node:crypto';

/** Prefix that makes Rempart tokens recognisable to secret scanners. */
export const TOKEN_PREFIX = 'rmp_';
const TOKEN_FORMAT = /^rmp_[A-Za-z0-9_-]{43}$/;

/** 256 random bits; shown to the officer once. */
export function newTokenSecret(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function isWellFormedToken(token: string): boolean {
  return TOKEN_FORMAT.test(token);
}

/** A fast hash is right here: the secret has 256 bits of entropy, so there is nothing to brute-force. */
export function hashTokenSecret(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
