import type { KeyObject, X509Certificate } from 'node:crypto';
import {
  buildChain,
  checkValidity,
  describeName,
  parseCertificate,
  parseRsaPrivateKey,
  splitPemCertificates,
  type SigningIdentity,
} from './certificates.js';
import { MAX_PKCS12_BYTES, readPkcs12 } from './pkcs12.js';
import { SigningIdentityError } from './signing-identity-error.js';

/** What an officer uploads: PEM files, or a PKCS#12 file (base64) with its password. */
export type SigningIdentityInput =
  | { certificatePem: string; privateKeyPem: string; chainPem?: string[] }
  | { pkcs12Base64: string; password: string };

export interface ImportSigningIdentityOptions {
  /** Validity is checked at this instant (default: now). */
  now?: Date;
  /** PKCS#12 size limit in bytes (default MAX_PKCS12_BYTES). */
  maxPkcs12Bytes?: number;
}

/** A validated identity, normalised to PEM, with what an officer needs to recognise it. */
export interface ImportedSigningIdentity extends SigningIdentity {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  /** SHA-256 of the certificate DER, upper-case hex with colons (as `openssl x509 -fingerprint`). */
  fingerprintSha256: string;
}

function assemble(
  leaf: X509Certificate,
  key: KeyObject,
  candidates: X509Certificate[],
  strictChain: boolean,
  now: Date,
): ImportedSigningIdentity {
  if (!leaf.checkPrivateKey(key)) {
    throw new SigningIdentityError(
      'KEY_MISMATCH',
      `the private key does not belong to the certificate ${describeName(leaf.subject)}`,
    );
  }
  checkValidity(leaf, now, 'the certificate');
  const others = candidates.filter((cert) => cert.fingerprint256 !== leaf.fingerprint256);
  const chain = buildChain(leaf, others, strictChain);
  for (const cert of chain) checkValidity(cert, now, 'chain certificate');
  return {
    certificatePem: leaf.toString(),
    privateKeyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    chainPem: chain.map((cert) => cert.toString()),
    subject: describeName(leaf.subject),
    issuer: describeName(leaf.issuer),
    serialNumber: leaf.serialNumber,
    notBefore: new Date(leaf.validFrom),
    notAfter: new Date(leaf.validTo),
    fingerprintSha256: leaf.fingerprint256,
  };
}

function importPem(
  input: { certificatePem: unknown; privateKeyPem: unknown; chainPem?: unknown },
  now: Date,
): ImportedSigningIdentity {
  const { certificatePem, privateKeyPem, chainPem = [] } = input;
  if (typeof certificatePem !== 'string' || typeof privateKeyPem !== 'string') {
    throw new SigningIdentityError(
      'INVALID_INPUT',
      'certificatePem and privateKeyPem must both be PEM strings',
    );
  }
  if (!Array.isArray(chainPem) || !chainPem.every((pem) => typeof pem === 'string')) {
    throw new SigningIdentityError('INVALID_INPUT', 'chainPem must be an array of PEM strings');
  }
  // A "fullchain" PEM (leaf then its issuers) is accepted as certificatePem.
  const [leafPem, ...restPem] = splitPemCertificates(certificatePem);
  if (leafPem === undefined) {
    throw new SigningIdentityError('INVALID_CERTIFICATE', 'certificatePem contains no PEM certificate');
  }
  const leaf = parseCertificate(leafPem, 'the certificate');
  const key = parseRsaPrivateKey(privateKeyPem);
  const chainBlocks = [...restPem, ...(chainPem as string[]).flatMap(splitPemCertificates)];
  if (chainPem.length > 0 && chainBlocks.length === restPem.length) {
    throw new SigningIdentityError('INVALID_CERTIFICATE', 'chainPem contains no PEM certificate');
  }
  const chain = chainBlocks.map((pem, i) => parseCertificate(pem, `chain certificate #${i + 1}`));
  return assemble(leaf, key, chain, true, now);
}

function importPkcs12(
  pkcs12Base64: unknown,
  password: unknown,
  now: Date,
  maxBytes: number,
): ImportedSigningIdentity {
  if (typeof pkcs12Base64 !== 'string' || typeof password !== 'string') {
    throw new SigningIdentityError('INVALID_INPUT', 'pkcs12Base64 and password must both be strings');
  }
  const contents = readPkcs12(pkcs12Base64, password, maxBytes);
  if (contents.keys.length === 0) {
    throw new SigningIdentityError('PKCS12_NO_KEY', 'the PKCS#12 file contains no private key');
  }
  const certificates = contents.certificates.map((entry, i) =>
    parseCertificate(entry.der, `PKCS#12 certificate #${i + 1}`),
  );
  // The signing certificate is the one whose public key matches a private key in the file.
  for (const entry of contents.keys) {
    const key = parseRsaPrivateKey({ der: entry.der, type: entry.format }, 'the PKCS#12 private key');
    const leaf = certificates.find((cert) => cert.checkPrivateKey(key));
    if (leaf !== undefined) return assemble(leaf, key, certificates, false, now);
  }
  throw new SigningIdentityError(
    'PKCS12_NO_MATCHING_CERTIFICATE',
    'the PKCS#12 file contains no certificate matching its private key',
  );
}

/**
 * Validates an uploaded signing identity and returns it as normalised PEMs: the certificate, its
 * unencrypted PKCS#8 private key (encrypt it with encryptSecret() before storing it) and its chain,
 * issuer first. Throws SigningIdentityError (never anything else) with a `code` and a message for
 * the officer when the input is corrupt, the password wrong, the key not the certificate's, the key
 * not RSA-2048+, a certificate outside its validity period, or the chain not the certificate's.
 */
export function importSigningIdentity(
  input: SigningIdentityInput,
  options: ImportSigningIdentityOptions = {},
): ImportedSigningIdentity {
  const now = options.now ?? new Date();
  try {
    if (typeof input !== 'object' || input === null) {
      throw new SigningIdentityError(
        'INVALID_INPUT',
        'expected {certificatePem, privateKeyPem, chainPem?} or {pkcs12Base64, password}',
      );
    }
    if ('pkcs12Base64' in input) {
      return importPkcs12(
        input.pkcs12Base64,
        input.password,
        now,
        options.maxPkcs12Bytes ?? MAX_PKCS12_BYTES,
      );
    }
    if ('certificatePem' in input) return importPem(input, now);
    throw new SigningIdentityError(
      'INVALID_INPUT',
      'expected {certificatePem, privateKeyPem, chainPem?} or {pkcs12Base64, password}',
    );
  } catch (error) {
    if (error instanceof SigningIdentityError) throw error;
    // Defensive: an unexpected failure in a parser is still a refused upload, not a crash.
    throw new SigningIdentityError(
      'INVALID_INPUT',
      `the signing identity could not be read: ${String((error as Error)?.message ?? error).split('\n')[0]}`,
    );
  }
}
