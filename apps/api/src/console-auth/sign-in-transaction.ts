import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';

/**
 * What /auth/login must remember until /auth/callback: state, nonce and PKCE verifier, and where
 * to go afterwards. It travels in a short-lived HttpOnly cookie, encrypted and authenticated
 * (AES-256-GCM under a key derived from the master key), so no server-side store is needed and
 * nobody can read the verifier or forge a transaction.
 */
export interface SignInTransaction {
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
  /** Epoch milliseconds after which the callback answers `expired`. */
  expiresAt: number;
}

export const TRANSACTION_COOKIE = 'rempart_signin';

export function newTransaction(
  returnTo: string,
  timeoutSeconds: number,
  now = Date.now(),
): SignInTransaction {
  return {
    state: oidc.randomState(),
    nonce: oidc.randomNonce(),
    codeVerifier: oidc.randomPKCECodeVerifier(),
    returnTo,
    expiresAt: now + timeoutSeconds * 1000,
  };
}

const transactionKey = (masterKey: string) =>
  Buffer.from(hkdfSync('sha256', masterKey, 'rempart', 'console sign-in transaction', 32));

export function sealTransaction(transaction: SignInTransaction, masterKey: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', transactionKey(masterKey), iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(transaction), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

/** The transaction, or undefined when the cookie is missing, altered or not ours. */
export function openTransaction(
  sealed: string | undefined,
  masterKey: string,
): SignInTransaction | undefined {
  if (!sealed) return undefined;
  try {
    const raw = Buffer.from(sealed, 'base64url');
    if (raw.length < 29) return undefined;
    const decipher = createDecipheriv('aes-256-gcm', transactionKey(masterKey), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    const text = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    const value = JSON.parse(text) as Partial<SignInTransaction>;
    const strings = [value.state, value.nonce, value.codeVerifier, value.returnTo];
    if (strings.some((s) => typeof s !== 'string') || typeof value.expiresAt !== 'number') return undefined;
    return value as SignInTransaction;
  } catch {
    return undefined;
  }
}

const MAX_RETURN_TO = 2048;

/**
 * A path on the console itself, or `/`: only same-origin paths, so that a crafted sign-in link
 * cannot send an officer to another site after signing in (`//evil`, `/\evil`, `https://evil`...).
 */
export function safeReturnTo(returnTo: unknown, publicUrl: string): string {
  if (typeof returnTo !== 'string' || returnTo.length > MAX_RETURN_TO) return '/';
  if (!returnTo.startsWith('/') || returnTo.startsWith('//') || returnTo.startsWith('/\\')) return '/';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(returnTo)) return '/';
  let resolved: URL;
  try {
    resolved = new URL(returnTo, `${publicUrl}/`);
  } catch {
    return '/';
  }
  if (resolved.origin !== new URL(publicUrl).origin) return '/';
  return `${resolved.pathname}${resolved.search}${resolved.hash}`;
}
