import { spawnSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SigningIdentityError } from './signing-identity-error.js';
import {
  generateTenantSigningIdentity,
  issueProfileSigningCertificate,
  type TenantSigningIdentity,
} from './tenant-signing-identity.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'rempart-pki-'));
const file = (name: string): string => path.join(tmp, name);

function openssl(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('openssl', args, { encoding: 'utf8' });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const now = new Date('2026-11-27T12:00:00Z');
let identity: TenantSigningIdentity;

beforeAll(async () => {
  identity = await generateTenantSigningIdentity({
    tenantName: 'Ministère des Armées',
    tenantSlug: 'armees',
    now,
  });
  writeFileSync(file('ca.pem'), identity.caCertificatePem);
  writeFileSync(file('leaf.pem'), identity.certificatePem);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('generateTenantSigningIdentity', () => {
  it('creates a 10-year self-signed RSA-2048 SHA-256 CA that signs certificates and CRLs and can act as the SCEP server', () => {
    const ca = new X509Certificate(identity.caCertificatePem);
    expect(ca.ca).toBe(true);
    expect(ca.checkIssued(ca)).toBe(true);
    expect(ca.verify(ca.publicKey)).toBe(true);
    expect(ca.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(new Date(ca.validTo).getUTCFullYear()).toBe(2036);
    expect(ca.subject).toContain('O=Ministère des Armées');
    const text = openssl(['x509', '-in', file('ca.pem'), '-noout', '-text']).stdout;
    expect(text).toMatch(/Signature Algorithm: sha256WithRSAEncryption/);
    expect(text).toMatch(/Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
    expect(text).toMatch(
      /Key Usage: critical\s+Digital Signature, Key Encipherment, Certificate Sign, CRL Sign/,
    );
    expect(text).toMatch(/Subject Key Identifier/);
  });

  it('issues a 2-year profile-signing certificate from that CA, for digital signatures only', () => {
    const leaf = new X509Certificate(identity.certificatePem);
    const ca = new X509Certificate(identity.caCertificatePem);
    expect(leaf.ca).toBe(false);
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.checkPrivateKey(createPrivateKey(identity.privateKeyPem))).toBe(true);
    expect(new Date(leaf.validTo).toISOString()).toBe('2028-11-27T12:00:00.000Z');
    expect(new Date(leaf.validFrom).getTime()).toBeLessThan(now.getTime());
    expect(leaf.keyUsage).toEqual(expect.arrayContaining(['1.3.6.1.5.5.7.3.4', '1.3.6.1.5.5.7.3.3']));
    expect(identity.chainPem).toEqual([ca.toString()]);
    const text = openssl(['x509', '-in', file('leaf.pem'), '-noout', '-text']).stdout;
    expect(text).toMatch(/Basic Constraints: critical\s+CA:FALSE/);
    expect(text).toMatch(/Key Usage: critical\s+Digital Signature\n/);
    expect(text).toMatch(/Extended Key Usage:\s+E-mail Protection, Code Signing/);
    expect(text).toMatch(/Authority Key Identifier/);
    const verify = openssl(['verify', '-x509_strict', '-CAfile', file('ca.pem'), file('leaf.pem')]);
    expect(verify.stdout).toMatch(/OK/);
    expect(verify.status).toBe(0);
  });

  it('keeps private keys as unencrypted PKCS#8 PEM (to be encrypted with encryptSecret before storage)', () => {
    expect(identity.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(identity.caPrivateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(identity.caPrivateKeyPem).not.toBe(identity.privateKeyPem);
  });

  it('renews the signing certificate from the stored CA, never past the CA’s own expiry', async () => {
    const late = new Date('2035-06-01T00:00:00Z');
    const renewed = await issueProfileSigningCertificate({
      ...identity,
      tenantName: 'Ministère des Armées',
      tenantSlug: 'armees',
      now: late,
    });
    const leaf = new X509Certificate(renewed.certificatePem);
    const ca = new X509Certificate(identity.caCertificatePem);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.validTo).toBe(ca.validTo);
    expect(leaf.serialNumber).not.toBe(new X509Certificate(identity.certificatePem).serialNumber);
  });

  it('refuses a CA key that is not the CA certificate’s, and empty names', async () => {
    await expect(
      issueProfileSigningCertificate({
        ...identity,
        caPrivateKeyPem: identity.privateKeyPem,
        tenantName: 'x',
        tenantSlug: 'x',
      }),
    ).rejects.toThrow(SigningIdentityError);
    await expect(generateTenantSigningIdentity({ tenantName: ' ', tenantSlug: 'x' })).rejects.toThrow(
      /tenantName/,
    );
  });
});
