import { describe, expect, it } from '@jest/globals';
import {
  decryptSecret,
  decryptSecretBytes,
  encryptSecret,
  SecretBoxError,
  type SecretBoxErrorCode,
} from './secret-box.js';

const masterKey = 'rempart-test-master-key-0123456789abcdef';
const privateKeyPem =
  '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC…\n-----END PRIVATE KEY-----\n';

function refusal(fn: () => unknown): { code: SecretBoxErrorCode; message: string } {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SecretBoxError);
    const { code, message } = error as SecretBoxError;
    return { code, message };
  }
  throw new Error('expected a SecretBoxError');
}

describe('encryptSecret / decryptSecret', () => {
  it('round-trips a private key through the versioned v1:<iv>:<tag>:<ciphertext> format', () => {
    const blob = encryptSecret(privateKeyPem, masterKey);
    expect(blob).toMatch(/^v1:[A-Za-z0-9+/]{16}:[A-Za-z0-9+/]{22}==:[A-Za-z0-9+/]+=*$/);
    expect(blob).not.toContain('PRIVATE KEY');
    expect(decryptSecret(blob, masterKey)).toBe(privateKeyPem);
    const bytes = Buffer.from([0, 1, 2, 253, 254, 255]);
    expect(decryptSecretBytes(encryptSecret(bytes, masterKey), masterKey).equals(bytes)).toBe(true);
  });

  it('uses a fresh IV every time', () => {
    expect(encryptSecret(privateKeyPem, masterKey)).not.toBe(encryptSecret(privateKeyPem, masterKey));
  });

  it('wrong master key: a clear SecretBoxError, not garbage', () => {
    const blob = encryptSecret(privateKeyPem, masterKey);
    const { code, message } = refusal(() => decryptSecret(blob, 'another-master-key-0123456789abcdefgh'));
    expect(code).toBe('DECRYPTION_FAILED');
    expect(message).toMatch(/wrong master key/);
  });

  it('binds a secret to its context when associated data is given', () => {
    const blob = encryptSecret(privateKeyPem, masterKey, 'tenant:dinum:profile-signing-key');
    expect(decryptSecret(blob, masterKey, 'tenant:dinum:profile-signing-key')).toBe(privateKeyPem);
    expect(refusal(() => decryptSecret(blob, masterKey, 'tenant:armees:profile-signing-key')).code).toBe(
      'DECRYPTION_FAILED',
    );
    expect(refusal(() => decryptSecret(blob, masterKey)).code).toBe('DECRYPTION_FAILED');
  });

  it('detects tampering with the ciphertext or the tag', () => {
    const [version, iv, tag, ciphertext] = encryptSecret(privateKeyPem, masterKey).split(':');
    const flip = (b64: string): string => {
      const bytes = Buffer.from(b64, 'base64');
      bytes[0] ^= 1;
      return bytes.toString('base64');
    };
    expect(refusal(() => decryptSecret([version, iv, tag, flip(ciphertext)].join(':'), masterKey)).code).toBe(
      'DECRYPTION_FAILED',
    );
    expect(refusal(() => decryptSecret([version, iv, flip(tag), ciphertext].join(':'), masterKey)).code).toBe(
      'DECRYPTION_FAILED',
    );
  });

  it('refuses malformed blobs, unknown versions and short master keys', () => {
    const [, iv, tag, ciphertext] = encryptSecret('x', masterKey).split(':');
    expect(refusal(() => decryptSecret('plain text', masterKey)).code).toBe('MALFORMED');
    expect(refusal(() => decryptSecret(`v1:${iv}:${tag}:!!!`, masterKey)).code).toBe('MALFORMED');
    expect(refusal(() => decryptSecret(`v1:AAAA:${tag}:${ciphertext}`, masterKey)).code).toBe('MALFORMED');
    expect(refusal(() => decryptSecret(`v2:${iv}:${tag}:${ciphertext}`, masterKey)).code).toBe(
      'UNSUPPORTED_VERSION',
    );
    expect(refusal(() => encryptSecret('x', 'short')).code).toBe('WEAK_MASTER_KEY');
    expect(refusal(() => decryptSecret(`v1:${iv}:${tag}:${ciphertext}`, 'short')).code).toBe(
      'WEAK_MASTER_KEY',
    );
  });
});

describe('decrypting with a retired master key', () => {
  const retired = 'rempart-development-master-key-not-for-production-use';

  it('reads a secret stored under a retired key when that key is listed after the current one', () => {
    const blob = encryptSecret(privateKeyPem, retired, 'ctx');
    expect(decryptSecret(blob, [masterKey, retired], 'ctx')).toBe(privateKeyPem);
    expect(decryptSecret(encryptSecret(privateKeyPem, masterKey, 'ctx'), [masterKey, retired], 'ctx')).toBe(
      privateKeyPem,
    );
  });

  it('still refuses a secret that none of the keys decrypts', () => {
    const blob = encryptSecret(privateKeyPem, retired, 'ctx');
    expect(refusal(() => decryptSecret(blob, [masterKey], 'ctx')).code).toBe('DECRYPTION_FAILED');
    expect(refusal(() => decryptSecret(blob, [masterKey, retired], 'other-ctx')).code).toBe(
      'DECRYPTION_FAILED',
    );
  });
});
