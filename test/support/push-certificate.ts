import { execFileSync } from 'node:child_process';
import { generateKeyPair, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import forge from 'node-forge';

const generateKeyPairAsync = promisify(generateKeyPair);

/**
 * A certificate shaped like Apple's MDM push certificate (UID = com.apple.mgmt.External.<uuid>).
 * Apple's servers cannot be reached here, so it is self-signed: Rempart accepts it only with
 * APNS_ALLOW_UNTRUSTED_PUSH_CERTIFICATES=true (set by test/support/test-environment.ts, the demo and
 * the benchmarks).
 */
export function makePushCertificate(
  days = 365,
  /** A renewal keeps the tenant's topic. */
  topic = `com.apple.mgmt.External.${randomUUID()}`,
): {
  certificatePem: string;
  privateKeyPem: string;
  topic: string;
} {
  const dir = mkdtempSync(path.join(tmpdir(), 'rempart-apns-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        'key.pem',
        '-out',
        'cert.pem',
        '-days',
        String(days),
        '-subj',
        `/UID=${topic}/CN=APSP:${topic.split('.').pop()}/C=FR`,
      ],
      { cwd: dir, stdio: 'pipe' },
    );
    return {
      certificatePem: readFileSync(path.join(dir, 'cert.pem'), 'utf8'),
      privateKeyPem: readFileSync(path.join(dir, 'key.pem'), 'utf8'),
      topic,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The certificate and its key as the .p12 file Keychain Access exports (openssl's defaults). */
export function pushCertificatePkcs12(
  push: { certificatePem: string; privateKeyPem: string },
  password: string,
): Buffer {
  const dir = mkdtempSync(path.join(tmpdir(), 'rempart-p12-'));
  try {
    writeFileSync(path.join(dir, 'cert.pem'), push.certificatePem);
    writeFileSync(path.join(dir, 'key.pem'), push.privateKeyPem);
    execFileSync(
      'openssl',
      ['pkcs12', '-export', '-in', 'cert.pem', '-inkey', 'key.pem', '-out', 'push.p12', '-passout', 'stdin'],
      { cwd: dir, stdio: 'pipe', input: `${password}\n` },
    );
    return readFileSync(path.join(dir, 'push.p12'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A client certificate with any subject and validity (expired, not yet valid, no UID...), self-signed,
 * for the APNs client and fake's refusal paths. Key made natively; node-forge builds and signs.
 */
export async function makeClientCertificate(options: {
  subject: forge.pki.CertificateField[];
  notBefore?: Date;
  notAfter?: Date;
}): Promise<{ certificatePem: string; privateKeyPem: string }> {
  const { privateKey } = await generateKeyPairAsync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const key = forge.pki.privateKeyFromPem(privateKey);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = '4' + randomUUID().replace(/-/g, '').slice(1);
  cert.validity.notBefore = options.notBefore ?? new Date(Date.now() - 3_600_000);
  cert.validity.notAfter = options.notAfter ?? new Date(Date.now() + 365 * 86_400_000);
  cert.setSubject(options.subject);
  cert.setIssuer(options.subject);
  cert.sign(key, forge.md.sha256.create());
  return { certificatePem: forge.pki.certificateToPem(cert), privateKeyPem: privateKey };
}
