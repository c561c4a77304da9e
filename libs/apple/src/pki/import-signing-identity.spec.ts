import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import forge from 'node-forge';
import { CmsSigner } from '../signing/cms-signer.js';
import { importSigningIdentity, type SigningIdentityInput } from './import-signing-identity.js';
import { SigningIdentityError, type SigningIdentityErrorCode } from './signing-identity-error.js';
import { generateTenantSigningIdentity, type TenantSigningIdentity } from './tenant-signing-identity.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'rempart-import-'));
const file = (name: string): string => path.join(tmp, name);
const openssl = (...args: string[]): Buffer =>
  execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });

function refusal(
  input: unknown,
  options?: Parameters<typeof importSigningIdentity>[1],
): { code: SigningIdentityErrorCode; message: string } {
  try {
    importSigningIdentity(input as SigningIdentityInput, options);
  } catch (error) {
    expect(error).toBeInstanceOf(SigningIdentityError);
    const { code, message } = error as SigningIdentityError;
    return { code, message };
  }
  throw new Error('expected a SigningIdentityError');
}

/** PKCS#12 written by the openssl CLI, as base64. */
function opensslPkcs12(name: string, password: string, extra: string[] = []): string {
  openssl(
    'pkcs12',
    '-export',
    '-inkey',
    file('leaf.key'),
    '-in',
    file('leaf.pem'),
    '-certfile',
    file('ca.pem'),
    '-passout',
    `pass:${password}`,
    '-out',
    file(name),
    ...extra,
  );
  return readFileSync(file(name)).toString('base64');
}

let tenant: TenantSigningIdentity;
let other: TenantSigningIdentity;

beforeAll(async () => {
  [tenant, other] = await Promise.all([
    generateTenantSigningIdentity({ tenantName: 'Préfecture de police', tenantSlug: 'prefecture-police' }),
    generateTenantSigningIdentity({ tenantName: 'Autre', tenantSlug: 'autre' }),
  ]);
  writeFileSync(file('leaf.key'), tenant.privateKeyPem);
  writeFileSync(file('leaf.pem'), tenant.certificatePem);
  writeFileSync(file('ca.pem'), tenant.caCertificatePem);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The imported identity signs a profile that verifies against the tenant CA. */
function expectUsable(identity: { certificatePem: string; privateKeyPem: string; chainPem: string[] }): void {
  const signed = new CmsSigner(identity).sign(Buffer.from('<plist version="1.0"><dict/></plist>'));
  writeFileSync(file('check.der'), signed);
  const result = spawnSync(
    'openssl',
    [
      'cms',
      '-verify',
      '-inform',
      'DER',
      '-in',
      file('check.der'),
      '-CAfile',
      file('ca.pem'),
      '-out',
      '/dev/null',
    ],
    { encoding: 'utf8' },
  );
  expect(result.status).toBe(0);
}

describe('importSigningIdentity from PEM', () => {
  it('validates and normalises certificate, key and chain', () => {
    const identity = importSigningIdentity({
      certificatePem: tenant.certificatePem,
      privateKeyPem: tenant.privateKeyPem,
      chainPem: [tenant.caCertificatePem],
    });
    expect(identity.certificatePem).toBe(tenant.certificatePem);
    expect(identity.chainPem).toEqual([tenant.caCertificatePem]);
    expect(identity.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(identity.subject).toMatch(/CN=Préfecture de police — Signature des profils Rempart/);
    expect(identity.fingerprintSha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(identity.notAfter.getTime()).toBeGreaterThan(identity.notBefore.getTime());
    expectUsable(identity);
  });

  it('accepts an organisation’s own PKI (root → intermediate → signer) with the chain in any order', () => {
    const ext = file('ext.cnf');
    writeFileSync(
      ext,
      '[ca]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n' +
        '[signer]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=emailProtection\n',
    );
    const req = (name: string, cn: string): void => {
      openssl(
        'req',
        '-new',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        `/CN=${cn}`,
        '-keyout',
        file(`${name}.key`),
        '-out',
        file(`${name}.csr`),
      );
    };
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=Root',
      '-days',
      '30',
      '-keyout',
      file('root.key'),
      '-out',
      file('root.pem'),
      '-extensions',
      'ca',
      '-config',
      ext,
    );
    req('inter', 'Intermediate');
    openssl(
      'x509',
      '-req',
      '-in',
      file('inter.csr'),
      '-CA',
      file('root.pem'),
      '-CAkey',
      file('root.key'),
      '-days',
      '20',
      '-extfile',
      ext,
      '-extensions',
      'ca',
      '-out',
      file('inter.pem'),
    );
    req('signer', 'Signer');
    openssl(
      'x509',
      '-req',
      '-in',
      file('signer.csr'),
      '-CA',
      file('inter.pem'),
      '-CAkey',
      file('inter.key'),
      '-days',
      '10',
      '-extfile',
      ext,
      '-extensions',
      'signer',
      '-out',
      file('signer.pem'),
    );
    const [root, inter] = [readFileSync(file('root.pem'), 'utf8'), readFileSync(file('inter.pem'), 'utf8')];

    const identity = importSigningIdentity({
      certificatePem: readFileSync(file('signer.pem'), 'utf8'),
      privateKeyPem: readFileSync(file('signer.key'), 'utf8'),
      chainPem: [root + inter],
    });
    expect(identity.chainPem.map((pem) => pem.trim())).toEqual([inter.trim(), root.trim()]);
    writeFileSync(
      file('chain.der'),
      new CmsSigner(identity).sign(Buffer.from('<plist version="1.0"><dict/></plist>')),
    );
    // Only the root is trusted: the intermediate must come from the signature itself.
    const result = spawnSync(
      'openssl',
      [
        'cms',
        '-verify',
        '-inform',
        'DER',
        '-in',
        file('chain.der'),
        '-CAfile',
        file('root.pem'),
        '-out',
        '/dev/null',
      ],
      { encoding: 'utf8' },
    );
    expect(result.stderr).toMatch(/Verification successful/);
  });

  it('accepts a PKCS#1 ("BEGIN RSA PRIVATE KEY") key and returns it as PKCS#8', () => {
    const pkcs1 = openssl('pkey', '-in', file('leaf.key'), '-traditional').toString();
    expect(pkcs1).toMatch(/BEGIN RSA PRIVATE KEY/);
    const identity = importSigningIdentity({ certificatePem: tenant.certificatePem, privateKeyPem: pkcs1 });
    expect(identity.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(identity.chainPem).toEqual([]);
  });

  it('refuses a key that does not match the certificate', () => {
    const { code, message } = refusal({
      certificatePem: tenant.certificatePem,
      privateKeyPem: other.privateKeyPem,
    });
    expect(code).toBe('KEY_MISMATCH');
    expect(message).toMatch(/does not belong to the certificate CN=Préfecture de police/);
  });

  it('refuses certificates outside their validity period', () => {
    const input = { certificatePem: tenant.certificatePem, privateKeyPem: tenant.privateKeyPem };
    expect(refusal(input, { now: new Date(Date.now() + 3 * 365 * 86_400_000) }).code).toBe(
      'CERTIFICATE_EXPIRED',
    );
    expect(refusal(input, { now: new Date(Date.now() - 86_400_000) }).code).toBe('CERTIFICATE_NOT_YET_VALID');
  });

  it('refuses a chain that did not issue the certificate', () => {
    const { code, message } = refusal({ ...tenant, chainPem: [other.caCertificatePem] });
    expect(code).toBe('INVALID_CHAIN');
    expect(message).toMatch(/did not issue/);
  });

  it('refuses encrypted, non-RSA, weak and unreadable keys with their own codes', () => {
    const encrypted = openssl('pkey', '-in', file('leaf.key'), '-aes256', '-passout', 'pass:pw').toString();
    expect(refusal({ certificatePem: tenant.certificatePem, privateKeyPem: encrypted }).code).toBe(
      'ENCRYPTED_PRIVATE_KEY',
    );

    openssl(
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-subj',
      '/CN=ec',
      '-days',
      '1',
      '-keyout',
      file('ec.key'),
      '-out',
      file('ec.pem'),
    );
    expect(
      refusal({
        certificatePem: readFileSync(file('ec.pem'), 'utf8'),
        privateKeyPem: readFileSync(file('ec.key'), 'utf8'),
      }).code,
    ).toBe('UNSUPPORTED_KEY_TYPE');

    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:1024',
      '-nodes',
      '-subj',
      '/CN=weak',
      '-days',
      '1',
      '-keyout',
      file('weak.key'),
      '-out',
      file('weak.pem'),
    );
    expect(
      refusal({
        certificatePem: readFileSync(file('weak.pem'), 'utf8'),
        privateKeyPem: readFileSync(file('weak.key'), 'utf8'),
      }).code,
    ).toBe('WEAK_KEY');

    expect(refusal({ certificatePem: tenant.certificatePem, privateKeyPem: 'hello' }).code).toBe(
      'INVALID_PRIVATE_KEY',
    );
    expect(refusal({ certificatePem: 'hello', privateKeyPem: tenant.privateKeyPem }).code).toBe(
      'INVALID_CERTIFICATE',
    );
    const corrupt = tenant.certificatePem.replace(/\n[A-Za-z0-9+/]{20}/, '\nAAAAAAAAAAAAAAAAAAAA');
    expect(refusal({ certificatePem: corrupt, privateKeyPem: tenant.privateKeyPem }).code).toBe(
      'INVALID_CERTIFICATE',
    );
  });

  it('refuses malformed requests without crashing', () => {
    for (const input of [
      null,
      42,
      {},
      { certificatePem: 1, privateKeyPem: 2 },
      { ...tenant, chainPem: 'x' },
      { pkcs12Base64: 'AAAA' },
    ]) {
      expect(refusal(input).code).toBe('INVALID_INPUT');
    }
  });
});

describe('importSigningIdentity from PKCS#12', () => {
  it('reads an OpenSSL 3 default PKCS#12 (PBES2 / AES-256-CBC / SHA-256 MAC) with its chain', () => {
    const identity = importSigningIdentity({
      pkcs12Base64: opensslPkcs12('modern.p12', 'mot de passe'),
      password: 'mot de passe',
    });
    expect(identity.certificatePem).toBe(tenant.certificatePem);
    expect(identity.chainPem).toEqual([tenant.caCertificatePem]);
    expectUsable(identity);
  });

  it('reads a legacy 3DES / SHA-1 PKCS#12 (older tools, Keychain Access)', () => {
    const legacy = opensslPkcs12('legacy.p12', 'secret', [
      '-certpbe',
      'PBE-SHA1-3DES',
      '-keypbe',
      'PBE-SHA1-3DES',
      '-macalg',
      'sha1',
    ]);
    const identity = importSigningIdentity({ pkcs12Base64: legacy, password: 'secret' });
    expect(identity.certificatePem).toBe(tenant.certificatePem);
  });

  it('reads a PKCS#12 written by node-forge', () => {
    const asn1 = forge.pkcs12.toPkcs12Asn1(
      forge.pki.privateKeyFromPem(tenant.privateKeyPem),
      [
        forge.pki.certificateFromPem(tenant.certificatePem),
        forge.pki.certificateFromPem(tenant.caCertificatePem),
      ],
      'forge-pass',
      { algorithm: '3des' },
    );
    const pkcs12Base64 = forge.util.encode64(forge.asn1.toDer(asn1).getBytes());
    const identity = importSigningIdentity({ pkcs12Base64, password: 'forge-pass' });
    expect(identity.certificatePem).toBe(tenant.certificatePem);
    expect(identity.chainPem).toEqual([tenant.caCertificatePem]);
  });

  it('wrong password: SigningIdentityError WRONG_PASSWORD, and the message does not echo it', () => {
    const pkcs12Base64 = opensslPkcs12('pw.p12', 'the-right-one');
    const { code, message } = refusal({ pkcs12Base64, password: 'the-wrong-one' });
    expect(code).toBe('WRONG_PASSWORD');
    expect(message).toMatch(/password is wrong/);
    expect(message).not.toContain('the-wrong-one');
  });

  it('corrupt input: SigningIdentityError INVALID_PKCS12, never a crash', () => {
    const good = Buffer.from(opensslPkcs12('corrupt.p12', 'x'), 'base64');
    const truncated = good.subarray(0, good.length - 40).toString('base64');
    const flipped = Buffer.from(good);
    flipped[flipped.length >> 1] ^= 0xff;
    const candidates = [
      truncated,
      flipped.toString('base64'),
      Buffer.from('definitely not a p12').toString('base64'),
      'not base64 at all!',
      '',
    ];
    for (const pkcs12Base64 of candidates) {
      const { code } = refusal({ pkcs12Base64, password: 'x' });
      expect(['INVALID_PKCS12', 'WRONG_PASSWORD']).toContain(code);
    }
    expect(refusal({ pkcs12Base64: truncated, password: 'x' }).code).toBe('INVALID_PKCS12');
  });

  it('a PKCS#12 without a private key, or too large, or too costly to open, is refused', () => {
    openssl(
      'pkcs12',
      '-export',
      '-nokeys',
      '-in',
      file('leaf.pem'),
      '-passout',
      'pass:x',
      '-out',
      file('nokey.p12'),
    );
    expect(
      refusal({ pkcs12Base64: readFileSync(file('nokey.p12')).toString('base64'), password: 'x' }).code,
    ).toBe('PKCS12_NO_KEY');

    expect(
      refusal({ pkcs12Base64: opensslPkcs12('big.p12', 'x'), password: 'x' }, { maxPkcs12Bytes: 1000 }).code,
    ).toBe('INPUT_TOO_LARGE');

    // 1.1 million iterations: forge would spend many seconds of pure JavaScript on it.
    const costly = opensslPkcs12('costly.p12', 'x', ['-iter', '1100000']);
    const started = Date.now();
    const { code, message } = refusal({ pkcs12Base64: costly, password: 'x' });
    expect(code).toBe('PKCS12_TOO_COSTLY');
    expect(message).toMatch(/1100000 key-derivation iterations/);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('a PKCS#12 whose certificate does not match its key is refused', () => {
    const asn1 = forge.pkcs12.toPkcs12Asn1(
      forge.pki.privateKeyFromPem(tenant.privateKeyPem),
      [forge.pki.certificateFromPem(other.certificatePem)],
      'x',
      { algorithm: '3des' },
    );
    const pkcs12Base64 = forge.util.encode64(forge.asn1.toDer(asn1).getBytes());
    expect(refusal({ pkcs12Base64, password: 'x' }).code).toBe('PKCS12_NO_MATCHING_CERTIFICATE');
  });
});
