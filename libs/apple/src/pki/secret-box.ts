import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/*
 * Encrypts secrets at rest (tenant private keys, push certificate keys) under REMPART_MASTER_KEY.
 *
 * Format `v1:<iv>:<tag>:<ciphertext>` (base64 each): AES-256-GCM, a random 96-bit IV per secret, a
 * 128-bit tag. The AES key is HKDF-SHA256(masterKey, salt "rempart/secret-box", info "v1"), so the
 * master key string is never used as a cipher key directly and a future v2 can derive a different
 * key from the same master key. An optional `associatedData` (e.g. "tenant:42:profile-signing-key")
 * binds a secret to its place: a blob copied to another row fails to decrypt.
 */

export type SecretBoxErrorCode =
  'WEAK_MASTER_KEY' | 'MALFORMED' | 'UNSUPPORTED_VERSION' | 'DECRYPTION_FAILED';

export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
  constructor(
    readonly code: SecretBoxErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Same floor as the configuration's REMPART_MASTER_KEY check. */
export const MIN_MASTER_KEY_LENGTH = 32;

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const SALT = Buffer.from('rempart/secret-box', 'utf8');
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function deriveKey(masterKey: string): Buffer {
  if (typeof masterKey !== 'string' || masterKey.length < MIN_MASTER_KEY_LENGTH) {
    throw new SecretBoxError(
      'WEAK_MASTER_KEY',
      `the master key must be at least ${MIN_MASTER_KEY_LENGTH} characters`,
    );
  }
  return Buffer.from(
    hkdfSync('sha256', Buffer.from(masterKey, 'utf8'), SALT, Buffer.from(VERSION, 'utf8'), 32),
  );
}

/** Encrypts a UTF-8 string or bytes; returns `v1:<iv>:<tag>:<ciphertext>`. */
export function encryptSecret(
  plaintext: string | Buffer,
  masterKey: string,
  associatedData?: string,
): string {
  const key = deriveKey(masterKey);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  if (associatedData !== undefined) cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const ciphertext = Buffer.concat([
    cipher.update(typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext),
    cipher.final(),
  ]);
  const tag = cipher.getAuthTag();
  return [VERSION, iv.toString('base64'), tag.toString('base64'), ciphertext.toString('base64')].join(':');
}

/**
 * Decrypts an encryptSecret() blob to bytes. Throws SecretBoxError on a wrong key, tampering or a bad
 * format. Given several master keys (the current one first, then retired ones still accepted for
 * reading), the first that authenticates the blob wins.
 */
export function decryptSecretBytes(
  blob: string,
  masterKey: string | readonly string[],
  associatedData?: string,
): Buffer {
  if (typeof masterKey !== 'string') {
    let failure: unknown = new SecretBoxError('WEAK_MASTER_KEY', 'no master key given');
    for (const key of masterKey) {
      try {
        return decryptSecretBytes(blob, key, associatedData);
      } catch (error) {
        if (!(error instanceof SecretBoxError) || error.code !== 'DECRYPTION_FAILED') throw error;
        failure = error;
      }
    }
    throw failure;
  }
  if (typeof blob !== 'string')
    throw new SecretBoxError('MALFORMED', 'the encrypted secret must be a string');
  const parts = blob.split(':');
  if (parts.length !== 4) {
    throw new SecretBoxError(
      'MALFORMED',
      'the encrypted secret is not in the <version>:<iv>:<tag>:<ciphertext> format',
    );
  }
  const [version, ivText, tagText, ciphertextText] = parts;
  if (version !== VERSION) {
    throw new SecretBoxError(
      'UNSUPPORTED_VERSION',
      `the encrypted secret has format ${JSON.stringify(version.slice(0, 8))}; this build reads ${VERSION}`,
    );
  }
  if (![ivText, tagText, ciphertextText].every((part) => BASE64.test(part))) {
    throw new SecretBoxError('MALFORMED', 'the encrypted secret is not valid base64');
  }
  const iv = Buffer.from(ivText, 'base64');
  const tag = Buffer.from(tagText, 'base64');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw new SecretBoxError('MALFORMED', 'the encrypted secret has a bad IV or tag length');
  }
  const key = deriveKey(masterKey);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    if (associatedData !== undefined) decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(ciphertextText, 'base64')), decipher.final()]);
  } catch {
    throw new SecretBoxError(
      'DECRYPTION_FAILED',
      'the encrypted secret could not be decrypted: wrong master key (REMPART_MASTER_KEY changed?), wrong context, or the data was altered',
    );
  }
}

/** Decrypts an encryptSecret() blob to a UTF-8 string (e.g. a PEM private key). */
export function decryptSecret(
  blob: string,
  masterKey: string | readonly string[],
  associatedData?: string,
): string {
  return decryptSecretBytes(blob, masterKey, associatedData).toString('utf8');
}
