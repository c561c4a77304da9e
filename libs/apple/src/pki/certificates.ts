import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { SigningIdentityError } from './signing-identity-error.js';

/** Certificate + private key (PKCS#8 PEM) + issuing chain, as stored and as given to CmsSigner. */
export interface SigningIdentity {
  certificatePem: string;
  privateKeyPem: string;
  /** Issuer first, up to (optionally) the root. May be empty. */
  chainPem: string[];
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** Every certificate block in a PEM text, in order. */
export function splitPemCertificates(pem: string): string[] {
  return pem.match(PEM_CERTIFICATE) ?? [];
}

export function parseCertificate(input: string | Buffer, what: string): X509Certificate {
  try {
    return new X509Certificate(input);
  } catch {
    throw new SigningIdentityError('INVALID_CERTIFICATE', `${what} is not a readable X.509 certificate`);
  }
}

/** Parses a private key (PEM or DER PKCS#8); only unencrypted RSA keys of 2048 bits or more are accepted. */
export function parseRsaPrivateKey(
  input: string | { der: Buffer; type: 'pkcs8' | 'pkcs1' },
  what = 'the private key',
): KeyObject {
  let key: KeyObject;
  try {
    key =
      typeof input === 'string'
        ? createPrivateKey({ key: input, format: 'pem' })
        : createPrivateKey({ key: input.der, format: 'der', type: input.type });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MISSING_PASSPHRASE' || (typeof input === 'string' && /ENCRYPTED/.test(input))) {
      throw new SigningIdentityError(
        'ENCRYPTED_PRIVATE_KEY',
        `${what} is encrypted; upload it unencrypted or as PKCS#12 with its password`,
      );
    }
    throw new SigningIdentityError('INVALID_PRIVATE_KEY', `${what} is not a readable private key`);
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new SigningIdentityError(
      'UNSUPPORTED_KEY_TYPE',
      `${what} is ${key.asymmetricKeyType ?? 'of an unknown type'}; profile signing needs an RSA key`,
    );
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 2048) {
    throw new SigningIdentityError('WEAK_KEY', `${what} is RSA-${bits}; at least RSA-2048 is required`);
  }
  return key;
}

/** "CN=..., O=..." on one line, for messages. */
export function describeName(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
}

/** Throws unless `now` is within the certificate's validity period. */
export function checkValidity(cert: X509Certificate, now: Date, what: string): void {
  const notBefore = new Date(cert.validFrom);
  const notAfter = new Date(cert.validTo);
  if (now < notBefore) {
    throw new SigningIdentityError(
      'CERTIFICATE_NOT_YET_VALID',
      `${what} (${describeName(cert.subject)}) is not valid before ${notBefore.toISOString()}`,
    );
  }
  if (now > notAfter) {
    throw new SigningIdentityError(
      'CERTIFICATE_EXPIRED',
      `${what} (${describeName(cert.subject)}) expired on ${notAfter.toISOString()}`,
    );
  }
}

function issuedBy(child: X509Certificate, parent: X509Certificate): boolean {
  try {
    return child.checkIssued(parent) && child.verify(parent.publicKey);
  } catch {
    return false;
  }
}

/**
 * Orders `candidates` into the chain that issued `leaf` (issuer first). With `strict`, a candidate
 * that is not part of that chain is an error (an officer pasted the wrong file); otherwise it is
 * dropped (PKCS#12 files often carry extra certificates).
 */
export function buildChain(
  leaf: X509Certificate,
  candidates: X509Certificate[],
  strict: boolean,
): X509Certificate[] {
  const remaining = [...candidates];
  const chain: X509Certificate[] = [];
  let current = leaf;
  while (remaining.length > 0 && !issuedBy(current, current)) {
    const index = remaining.findIndex((cert) => issuedBy(current, cert));
    if (index === -1) break;
    const [issuer] = remaining.splice(index, 1);
    if (!issuer.ca) {
      throw new SigningIdentityError(
        'INVALID_CHAIN',
        `chain certificate ${describeName(issuer.subject)} is not a CA certificate (basicConstraints CA:FALSE)`,
      );
    }
    chain.push(issuer);
    current = issuer;
  }
  if (strict && remaining.length > 0) {
    throw new SigningIdentityError(
      'INVALID_CHAIN',
      `chain certificate ${describeName(remaining[0].subject)} did not issue ${describeName(current.subject)} or any certificate above it`,
    );
  }
  return chain;
}

/** forge.asn1.fromDer with its options object (missing from @types/node-forge). */
export function parseDer(
  bytes: string,
  options: { strict?: boolean; parseAllBytes?: boolean; decodeBitStrings?: boolean },
): forge.asn1.Asn1 {
  const fromDer = forge.asn1.fromDer as unknown as (b: string, o: object) => forge.asn1.Asn1;
  return fromDer(bytes, options);
}

/** The TBSCertificate fields CMS and certificate issuance need, as forge ASN.1 nodes (DER kept as is). */
export function readTbsFields(der: Buffer): {
  serialNumber: forge.asn1.Asn1;
  issuer: forge.asn1.Asn1;
  subject: forge.asn1.Asn1;
} {
  const cert = parseDer(der.toString('binary'), { strict: true, decodeBitStrings: false });
  const tbs = (cert.value as forge.asn1.Asn1[])[0];
  const fields = tbs.value as forge.asn1.Asn1[];
  // `version` is [0] EXPLICIT and absent for v1 certificates.
  const offset = fields[0].tagClass === forge.asn1.Class.CONTEXT_SPECIFIC ? 1 : 0;
  return { serialNumber: fields[offset], issuer: fields[offset + 2], subject: fields[offset + 4] };
}
