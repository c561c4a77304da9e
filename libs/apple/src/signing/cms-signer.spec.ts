import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodePlist } from '../plist/plist-codec.js';
import { SigningIdentityError } from '../pki/signing-identity-error.js';
import { generateTenantSigningIdentity, type TenantSigningIdentity } from '../pki/tenant-signing-identity.js';
import { buildRestrictionsProfile, compileRestrictionsProfile } from '../profiles/restrictions-profile.js';
import { CmsSigner } from './cms-signer.js';
import { frenchMessagingBan } from '../../../../test/fixtures/ban-specs.js';
import { requireTool } from '../../../../test/support/tools.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'rempart-cms-'));
const file = (name: string): string => path.join(tmp, name);

function run(command: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

let dinum: TenantSigningIdentity;
let otherTenant: TenantSigningIdentity;
let profile: Buffer;
let signed: Buffer;

beforeAll(async () => {
  [dinum, otherTenant] = await Promise.all([
    generateTenantSigningIdentity({
      tenantName: 'Direction interministérielle du numérique',
      tenantSlug: 'dinum',
    }),
    generateTenantSigningIdentity({ tenantName: 'Ministère des Armées', tenantSlug: 'armees' }),
  ]);
  writeFileSync(file('ca.pem'), dinum.caCertificatePem);
  writeFileSync(file('other-ca.pem'), otherTenant.caCertificatePem);
  profile = compileRestrictionsProfile(frenchMessagingBan);
  signed = new CmsSigner(dinum).sign(profile, new Date('2026-11-27T10:00:00Z'));
  writeFileSync(file('ban.signed.mobileconfig'), signed);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('CmsSigner', () => {
  it('signed French messaging ban verifies with `openssl cms -verify -CAfile ca.pem`, and the content is the profile', () => {
    // emailProtection in the signing certificate's extendedKeyUsage satisfies OpenSSL's default
    // S/MIME signing purpose, so `-purpose any` is not even needed.
    for (const purpose of [[], ['-purpose', 'any']]) {
      const out = file(`content${purpose.length}.plist`);
      const result = run('openssl', [
        'cms',
        '-verify',
        '-inform',
        'DER',
        '-in',
        file('ban.signed.mobileconfig'),
        '-CAfile',
        file('ca.pem'),
        ...purpose,
        '-out',
        out,
      ]);
      expect(result.stderr).toMatch(/Verification successful/);
      expect(result.status).toBe(0);
      expect(readFileSync(out).equals(profile)).toBe(true);
    }
  });

  it('the extracted content parses with libplist (plistutil) as the same profile', () => {
    run('openssl', [
      'cms',
      '-verify',
      '-inform',
      'DER',
      '-in',
      file('ban.signed.mobileconfig'),
      '-CAfile',
      file('ca.pem'),
      '-out',
      file('extracted.plist'),
    ]);
    requireTool('plistutil');
    const binary = run('plistutil', [
      '-i',
      file('extracted.plist'),
      '-o',
      file('extracted.bplist'),
      '-f',
      'bin',
    ]);
    expect(binary.stderr).toBe('');
    expect(readFileSync(file('extracted.bplist')).subarray(0, 8).toString('latin1')).toBe('bplist00');
    run('plistutil', ['-i', file('extracted.bplist'), '-o', file('roundtrip.plist'), '-f', 'xml']);
    expect(decodePlist(readFileSync(file('roundtrip.plist')))).toEqual(
      buildRestrictionsProfile(frenchMessagingBan),
    );
  });

  it('carries SHA-256, the signed attributes contentType / signingTime / messageDigest, and the signer with its chain', () => {
    const printed = run('openssl', [
      'cms',
      '-cmsout',
      '-print',
      '-inform',
      'DER',
      '-in',
      file('ban.signed.mobileconfig'),
    ]).stdout;
    expect(printed).toMatch(/contentType: pkcs7-signedData/);
    expect(printed).toMatch(/eContentType: pkcs7-data/);
    expect(printed).toMatch(/digestAlgorithm:\s+algorithm: sha256/);
    expect(printed).toMatch(/signatureAlgorithm:\s+algorithm: rsaEncryption/);
    const signedAttrs = printed.slice(
      printed.indexOf('signedAttrs:'),
      printed.indexOf('signatureAlgorithm:'),
    );
    expect(signedAttrs).toMatch(/object: contentType[\s\S]*OBJECT:pkcs7-data/);
    expect(signedAttrs).toMatch(/object: signingTime[\s\S]*UTCTIME:Nov 27 10:00:00 2026 GMT/);
    expect(signedAttrs).toMatch(/object: messageDigest/);
    const digestHex = createHash('sha256').update(profile).digest('hex');
    const printedDigest = [
      ...signedAttrs
        .slice(signedAttrs.indexOf('object: messageDigest'))
        .matchAll(/^\s+[0-9a-f]{4} - ((?:[0-9a-f]{2}[ -]?)+)/gm),
    ]
      .map((m) => m[1].replace(/[ -]/g, ''))
      .join('');
    expect(printedDigest).toBe(digestHex);

    const certs = run('openssl', [
      'pkcs7',
      '-inform',
      'DER',
      '-in',
      file('ban.signed.mobileconfig'),
      '-print_certs',
      '-noout',
    ]).stdout;
    expect(certs.match(/^subject=/gm)).toHaveLength(2);
    expect(certs).toMatch(/Signature des profils Rempart/);
    expect(certs).toMatch(/^subject=.*Rempart \(dinum\)/m); // the CA (OpenSSL escapes the accents)
  });

  it('is deterministic for a given signing time, and different for another', () => {
    const signer = new CmsSigner(dinum);
    const at = new Date('2026-11-27T10:00:00Z');
    expect(signer.sign(profile, at).equals(signed)).toBe(true);
    expect(signer.sign(profile, new Date('2026-11-27T10:00:01Z')).equals(signed)).toBe(false);
  });

  it('encodes signing times from 2050 on as GeneralizedTime', () => {
    writeFileSync(file('late.der'), new CmsSigner(dinum).sign(profile, new Date('2051-01-02T03:04:05Z')));
    expect(
      run('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', file('late.der')]).stdout,
    ).toMatch(/GENERALIZEDTIME:Jan {2}2 03:04:05 2051 GMT/);
  });

  it('does not verify against another tenant’s CA, nor once the content is altered', () => {
    const wrongCa = run('openssl', [
      'cms',
      '-verify',
      '-inform',
      'DER',
      '-in',
      file('ban.signed.mobileconfig'),
      '-CAfile',
      file('other-ca.pem'),
      '-out',
      '/dev/null',
    ]);
    expect(wrongCa.status).not.toBe(0);

    const tampered = Buffer.from(signed);
    const at = tampered.indexOf(Buffer.from('net.whatsapp.WhatsApp'));
    expect(at).toBeGreaterThan(0);
    tampered.write('N', at); // Net.whatsapp...: an iPhone would no longer block WhatsApp.
    writeFileSync(file('tampered.der'), tampered);
    const result = run('openssl', [
      'cms',
      '-verify',
      '-inform',
      'DER',
      '-in',
      file('tampered.der'),
      '-CAfile',
      file('ca.pem'),
      '-out',
      '/dev/null',
    ]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/digest failure|verification failure/i);
  });

  it('accepts the chain in any order, and a "fullchain" certificate PEM', () => {
    const fullchain = new CmsSigner({
      certificatePem: dinum.certificatePem + dinum.caCertificatePem,
      privateKeyPem: dinum.privateKeyPem,
    });
    expect(fullchain.sign(profile, new Date('2026-11-27T10:00:00Z')).equals(signed)).toBe(true);
  });

  it('refuses a key that is not the certificate’s, an unrelated chain, and garbage', () => {
    const refusal = (options: ConstructorParameters<typeof CmsSigner>[0]): string => {
      try {
        new CmsSigner(options);
      } catch (error) {
        expect(error).toBeInstanceOf(SigningIdentityError);
        return (error as SigningIdentityError).code;
      }
      throw new Error('expected a SigningIdentityError');
    };
    expect(refusal({ ...dinum, privateKeyPem: otherTenant.privateKeyPem })).toBe('KEY_MISMATCH');
    expect(refusal({ ...dinum, chainPem: [otherTenant.caCertificatePem] })).toBe('INVALID_CHAIN');
    expect(refusal({ ...dinum, certificatePem: 'not a certificate' })).toBe('INVALID_CERTIFICATE');
    expect(
      refusal({ ...dinum, privateKeyPem: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n' }),
    ).toBe('INVALID_PRIVATE_KEY');
  });
});
