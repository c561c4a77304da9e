import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';

/**
 * What /auth/login must remember until /auth/callback: state, nonce and PKCE verifier, and where
 * to go afterwards. It travels in a short-lived HttpOnly cookie, encrypted and authenticated
 * (AES-256-GCM under a key derived from the master key), so no server-side store is needed and
 * nobody can read the verifier or forge a transaction. The cookie holds every sign-in the browser
 * has pending (a few, newest last): a second tab starting one does not spoil the first's.
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

/** Pending sign-ins one browser keeps at most; older ones are forgotten (their callback fails). */
export const MAX_PENDING_SIGN_INS = 5;
/** Browsers keep cookies of about 4,096 bytes: the oldest pending sign-ins make room. */
const MAX_SEALED_LENGTH = 3_800;

export function sealTransactions(transactions: SignInTransaction[], masterKey: string): string {
  let kept = transactions.slice(-MAX_PENDING_SIGN_INS);
  for (;;) {
    const sealed = seal(kept, masterKey);
    if (sealed.length <= MAX_SEALED_LENGTH || kept.length === 1) return sealed;
    kept = kept.slice(1);
  }
}

/** The pending sign-ins, or none when the cookie is missing, altered or not ours. */
export function openTransactions(sealed: string | undefined, masterKey: string): SignInTransaction[] {
  if (!sealed) return [];
  try {
    const raw = Buffer.from(sealed, 'base64url');
    if (raw.length < 29) return [];
    const decipher = createDecipheriv('aes-256-gcm', transactionKey(masterKey), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    const text = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    const value = JSON.parse(text) as unknown;
    // A cookie sealed before several sign-ins were kept holds one transaction, not a list.
    const list = Array.isArray(value) ? value : [value];
    return list.every(isTransaction) ? list : [];
  } catch {
    return [];
  }
}

function seal(transactions: SignInTransaction[], masterKey: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', transactionKey(masterKey), iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(transactions), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

function isTransaction(value: unknown): value is SignInTransaction {
  if (typeof value !== 'object' || value === null) return false;
  const t = value as Partial<SignInTransaction>;
  return (
    [t.state, t.nonce, t.codeVerifier, t.returnTo].every((s) => typeof s === 'string') &&
    typeof t.expiresAt === 'number'
  );
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
