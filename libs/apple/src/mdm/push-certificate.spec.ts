import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestPki, type TestPki } from './mdm-test-pki.js';
import {
  PushCertificateError,
  parsePushCertificate,
  type PushCertificateErrorCode,
  type PushCertificateInput,
} from './push-certificate.js';

const PUSH_UUID = '6b2a1f0e-4c1d-4f7e-9a3b-2d5c8e9f0a1b';
const TOPIC = `com.apple.mgmt.External.${PUSH_UUID}`;

let pki: TestPki;

/** A self-signed stand-in for identity.apple.com's push certificate: `<name>.pem` / `<name>.key`. */
function selfSigned(name: string, subject: string, days = 365): void {
  pki.openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    subject,
    '-days',
    String(days),
    '-keyout',
    pki.file(`${name}.key`),
    '-out',
    pki.file(`${name}.pem`),
  );
}

function pkcs12(name: string, password: string): string {
  pki.openssl(
    'pkcs12',
    '-export',
    '-inkey',
    pki.file(`${name}.key`),
    '-in',
    pki.file(`${name}.pem`),
    '-passout',
    `pass:${password}`,
    '-out',
    pki.file(`${name}.p12`),
  );
  return readFileSync(pki.file(`${name}.p12`)).toString('base64');
}

function refusal(
  input: PushCertificateInput,
  now?: Date,
): { code: PushCertificateErrorCode; message: string } {
  try {
    parsePushCertificate(input, now, { allowUntrustedIssuer: true });
  } catch (error) {
    expect(error).toBeInstanceOf(PushCertificateError);
    const { code, message } = error as PushCertificateError;
    return { code, message };
  }
  throw new Error('expected a PushCertificateError');
}

beforeAll(() => {
  pki = createTestPki('push');
  selfSigned('push', `/UID=${TOPIC}/CN=APSP:${PUSH_UUID}/C=US`);
  selfSigned('app-push', '/UID=fr.gouv.tchap/CN=Apple Push Services: fr.gouv.tchap/C=US');
  selfSigned('no-uid', '/CN=APSP:no-uid/C=US');
  selfSigned('other', `/UID=com.apple.mgmt.External.other/CN=APSP:other/C=US`);
  // Stand-ins named like Apple's push CA and like an impostor of it (the check compares names).
  pki.ca(
    'apple-aai2',
    'Apple Application Integration 2 Certification Authority/OU=Apple Certification Authority/O=Apple Inc./C=US',
  );
  pki.issue('from-apple', 'apple-aai2', `/UID=${TOPIC}/CN=APSP:${PUSH_UUID}/C=US`);
  pki.ca('lookalike', 'Apple Application Integration 2 Certification Authority/O=Not Apple/C=US');
  pki.issue('from-lookalike', 'lookalike', `/UID=${TOPIC}/CN=APSP:${PUSH_UUID}/C=US`);
});
afterAll(() => pki.cleanup());

describe('parsePushCertificate', () => {
  it('reads the topic (subject UID) from a PEM certificate and key', () => {
    const parsed = parsePushCertificate(
      { certificatePem: pki.read('push.pem'), privateKeyPem: pki.read('push.key') },
      undefined,
      { allowUntrustedIssuer: true },
    );
    const cert = new X509Certificate(pki.read('push.pem'));
    expect(parsed.topic).toBe(TOPIC);
    expect(parsed.subject).toBe(`UID=${TOPIC}, CN=APSP:${PUSH_UUID}, C=US`);
    expect(parsed.notAfter).toEqual(new Date(cert.validTo));
    expect(parsed.notBefore).toEqual(new Date(cert.validFrom));
    expect(parsed.notAfter.getTime() - parsed.notBefore.getTime()).toBe(365 * 86_400_000);
    expect(parsed.certificatePem.trim()).toBe(pki.read('push.pem').trim());
    expect(parsed.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(parsed.fingerprintSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reads the same certificate from PKCS#12 (as exported from Keychain Access)', () => {
    const parsed = parsePushCertificate(
      { pkcs12Base64: pkcs12('push', 'mot de passe'), password: 'mot de passe' },
      undefined,
      { allowUntrustedIssuer: true },
    );
    expect(parsed.topic).toBe(TOPIC);
    expect(parsed.certificatePem.trim()).toBe(pki.read('push.pem').trim());
  });

  it('refuses a certificate whose UID does not start with com.apple.mgmt., or has no UID', () => {
    const app = refusal({
      certificatePem: pki.read('app-push.pem'),
      privateKeyPem: pki.read('app-push.key'),
    });
    expect(app.code).toBe('NOT_AN_MDM_PUSH_CERTIFICATE');
    expect(app.message).toMatch(/"fr\.gouv\.tchap" does not start with com\.apple\.mgmt\./);
    expect(refusal({ pkcs12Base64: pkcs12('app-push', 'x'), password: 'x' }).code).toBe(
      'NOT_AN_MDM_PUSH_CERTIFICATE',
    );
    const none = refusal({ certificatePem: pki.read('no-uid.pem'), privateKeyPem: pki.read('no-uid.key') });
    expect(none.code).toBe('NOT_AN_MDM_PUSH_CERTIFICATE');
    expect(none.message).toMatch(/no UID/);
  });

  it('refuses a private key that is not the certificate’s', () => {
    expect(refusal({ certificatePem: pki.read('push.pem'), privateKeyPem: pki.read('other.key') }).code).toBe(
      'KEY_MISMATCH',
    );
  });

  it('refuses a wrong PKCS#12 password without echoing it, and a corrupt PKCS#12', () => {
    const wrong = refusal({ pkcs12Base64: pkcs12('push', 'the-right-one'), password: 'the-wrong-one' });
    expect(wrong.code).toBe('WRONG_PASSWORD');
    expect(wrong.message).not.toContain('the-wrong-one');
    expect(refusal({ pkcs12Base64: Buffer.from('not a p12').toString('base64'), password: 'x' }).code).toBe(
      'INVALID_PKCS12',
    );
  });

  it('refuses an expired (or not yet valid) certificate', () => {
    const input = { certificatePem: pki.read('push.pem'), privateKeyPem: pki.read('push.key') };
    const expired = refusal(input, new Date(Date.now() + 400 * 86_400_000));
    expect(expired.code).toBe('EXPIRED');
    expect(expired.message).toMatch(/renew it at identity\.apple\.com\/pushcert/);
    expect(refusal(input, new Date(Date.now() - 86_400_000)).code).toBe('NOT_YET_VALID');
  });

  it('refuses unreadable input', () => {
    expect(refusal({ certificatePem: 'hello', privateKeyPem: pki.read('push.key') }).code).toBe(
      'INVALID_CERTIFICATE',
    );
    expect(refusal({ certificatePem: pki.read('push.pem'), privateKeyPem: 'hello' }).code).toBe(
      'INVALID_PRIVATE_KEY',
    );
    expect(refusal(null as never).code).toBe('INVALID_INPUT');
    expect(refusal({ certificatePem: 1, privateKeyPem: 2 } as never).code).toBe('INVALID_INPUT');
  });

  it('accepts a push certificate issued by Apple Application Integration 2 CA without any setting', () => {
    const parsed = parsePushCertificate({
      certificatePem: pki.read('from-apple.pem'),
      privateKeyPem: pki.read('from-apple.key'),
    });
    expect(parsed.topic).toBe(TOPIC);
    expect(parsed.issuer).toMatch(/Apple Application Integration 2 Certification Authority/);
  });

  it('refuses a self-made push certificate, or one from a CA that only borrows Apple’s CA name', () => {
    for (const name of ['push', 'from-lookalike']) {
      let refused: unknown;
      try {
        parsePushCertificate({
          certificatePem: pki.read(`${name}.pem`),
          privateKeyPem: pki.read(`${name}.key`),
        });
      } catch (error) {
        refused = error;
      }
      expect(refused).toBeInstanceOf(PushCertificateError);
      expect((refused as PushCertificateError).code).toBe('NOT_ISSUED_BY_APPLE');
      expect((refused as PushCertificateError).message).toMatch(/identity\.apple\.com\/pushcert/);
    }
  });
});
