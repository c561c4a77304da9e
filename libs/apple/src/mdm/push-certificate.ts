import { X509Certificate } from 'node:crypto';
import { importSigningIdentity } from '../pki/import-signing-identity.js';
import { SigningIdentityError, type SigningIdentityErrorCode } from '../pki/signing-identity-error.js';
import { DerError, expectTag, oidValue, stringValue, TAG } from '../asn1/der.js';
import { readCertificateFields } from './certificate-fields.js';

/*
 * The APNs MDM push certificate a tenant gets from identity.apple.com/pushcert (reference
 * apple-mdm.md §4-5). Its topic, which the enrollment profile's com.apple.mdm `Topic` must equal
 * and which devices send back in every check-in, is the subject's UID attribute
 * (OID 0.9.2342.19200300.100.1.1), e.g. `com.apple.mgmt.External.<uuid>` (nanomdm
 * cryptoutil.TopicFromCert). Reading and checking certificate + key (PEM or PKCS#12) reuses
 * importSigningIdentity: key must match, validity period, RSA-2048+, PKCS#12 hardening.
 */

export type PushCertificateErrorCode =
  | 'INVALID_INPUT'
  | 'INVALID_CERTIFICATE'
  | 'INVALID_PRIVATE_KEY'
  | 'ENCRYPTED_PRIVATE_KEY'
  | 'INVALID_PKCS12'
  | 'WRONG_PASSWORD'
  | 'KEY_MISMATCH'
  | 'NOT_AN_MDM_PUSH_CERTIFICATE'
  | 'EXPIRED'
  | 'NOT_YET_VALID'
  | 'NOT_ISSUED_BY_APPLE';

/** The push certificate upload was refused; `message` is for the officer and never contains the password or key. */
export class PushCertificateError extends Error {
  override readonly name = 'PushCertificateError';
  constructor(
    readonly code: PushCertificateErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export type PushCertificateInput =
  { certificatePem: string; privateKeyPem: string } | { pkcs12Base64: string; password: string };

export interface PushCertificate {
  /** The APNs topic, `com.apple.mgmt.…` (the subject UID). */
  topic: string;
  notBefore: Date;
  notAfter: Date;
  /** One line, e.g. `UID=com.apple.mgmt.External.…, CN=APSP:…, C=US`. */
  subject: string;
  issuer: string;
  /** SHA-256 of the certificate DER, lower-case hex. */
  fingerprintSha256: string;
  /** The leaf certificate alone. */
  certificatePem: string;
  /** Unencrypted PKCS#8 (encrypt it with encryptSecret() before storing it). */
  privateKeyPem: string;
}

export const MDM_PUSH_TOPIC_PREFIX = 'com.apple.mgmt.';
const UID_OID = '0.9.2342.19200300.100.1.1';

const CODE_MAP: Partial<Record<SigningIdentityErrorCode, PushCertificateErrorCode>> = {
  INVALID_INPUT: 'INVALID_INPUT',
  INPUT_TOO_LARGE: 'INVALID_PKCS12',
  INVALID_CERTIFICATE: 'INVALID_CERTIFICATE',
  INVALID_CHAIN: 'INVALID_CERTIFICATE',
  INVALID_PRIVATE_KEY: 'INVALID_PRIVATE_KEY',
  ENCRYPTED_PRIVATE_KEY: 'ENCRYPTED_PRIVATE_KEY',
  UNSUPPORTED_KEY_TYPE: 'INVALID_PRIVATE_KEY',
  WEAK_KEY: 'INVALID_PRIVATE_KEY',
  KEY_MISMATCH: 'KEY_MISMATCH',
  PKCS12_NO_MATCHING_CERTIFICATE: 'KEY_MISMATCH',
  CERTIFICATE_EXPIRED: 'EXPIRED',
  CERTIFICATE_NOT_YET_VALID: 'NOT_YET_VALID',
  INVALID_PKCS12: 'INVALID_PKCS12',
  PKCS12_TOO_COSTLY: 'INVALID_PKCS12',
  PKCS12_NO_KEY: 'INVALID_PKCS12',
  WRONG_PASSWORD: 'WRONG_PASSWORD',
};

/** The values of every UID attribute in the certificate's subject. */
export function subjectUids(cert: X509Certificate): string[] {
  const { subjectTlv } = readCertificateFields(cert.raw);
  const uids: string[] = [];
  for (const rdn of subjectTlv.children) {
    for (const attribute of expectTag(rdn, TAG.SET, 'RelativeDistinguishedName').children) {
      const [type, value] = expectTag(attribute, TAG.SEQUENCE, 'AttributeTypeAndValue').children;
      if (oidValue(type, 'attribute type') !== UID_OID) continue;
      const uid = value === undefined ? undefined : stringValue(value);
      if (uid === undefined) throw new DerError('UID: not a string');
      uids.push(uid);
    }
  }
  return uids;
}

/** Reads the push topic (subject UID) of a certificate; throws NOT_AN_MDM_PUSH_CERTIFICATE unless it is `com.apple.mgmt.…`. */
export function pushTopicOf(cert: X509Certificate): string {
  let uids: string[];
  try {
    uids = subjectUids(cert);
  } catch (error) {
    if (!(error instanceof DerError)) throw error;
    throw new PushCertificateError('INVALID_CERTIFICATE', 'the certificate subject is not readable');
  }
  if (uids.length !== 1) {
    throw new PushCertificateError(
      'NOT_AN_MDM_PUSH_CERTIFICATE',
      uids.length === 0
        ? 'this is not an APNs MDM push certificate: its subject has no UID (topic); get one from identity.apple.com/pushcert'
        : 'this is not an APNs MDM push certificate: its subject has several UIDs',
    );
  }
  const [topic] = uids;
  if (!topic.startsWith(MDM_PUSH_TOPIC_PREFIX) || topic.length === MDM_PUSH_TOPIC_PREFIX.length) {
    throw new PushCertificateError(
      'NOT_AN_MDM_PUSH_CERTIFICATE',
      `this is not an APNs MDM push certificate: its topic ${JSON.stringify(topic)} does not start with ${MDM_PUSH_TOPIC_PREFIX} (an app push certificate?)`,
    );
  }
  return topic;
}

/**
 * The certification authorities that issue APNs certificates: Apple Application Integration (2, G3,
 * CA 5 - G1: the MDM push certificates of identity.apple.com) and Apple Worldwide Developer Relations
 * (app push certificates), all `O=Apple Inc.` under Apple Root CA. Only the issuer's name is
 * compared: the CA certificates could not be obtained offline when this was written, and uploads
 * carry the leaf alone, so the signature is not checked. What the check catches is a certificate
 * that APNs would refuse anyway (self-made, from another CA), before phones are enrolled with it.
 */
const APPLE_PUSH_ISSUER_NAME = /^Apple (Application Integration|Worldwide Developer Relations)\b/;

export interface ParsePushCertificateOptions {
  /** Accept a certificate not issued by Apple's push CAs (development, tests, the demo). */
  allowUntrustedIssuer?: boolean;
}

/** `C=US\nO=Apple Inc.\n...` (node's X509Certificate.issuer) as attribute -> value. */
function nameAttributes(name: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const line of name.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) attributes.set(line.slice(0, at), line.slice(at + 1));
  }
  return attributes;
}

/** Throws NOT_ISSUED_BY_APPLE unless the certificate's issuer is one of Apple's push CAs (by name). */
export function assertIssuedByApplePushCa(cert: X509Certificate): void {
  const issuer = nameAttributes(cert.issuer);
  const cn = issuer.get('CN') ?? '';
  if (issuer.get('O') === 'Apple Inc.' && APPLE_PUSH_ISSUER_NAME.test(cn)) return;
  throw new PushCertificateError(
    'NOT_ISSUED_BY_APPLE',
    `this push certificate was not issued by Apple (issuer ${JSON.stringify(cn || cert.issuer.replace(/\n/g, ', '))}, expected Apple Application Integration 2 Certification Authority): APNs would refuse it; get the MDM push certificate from identity.apple.com/pushcert`,
  );
}

/**
 * Validates an uploaded APNs MDM push certificate with its private key (PEM pair, or PKCS#12 as
 * exported from Keychain Access with its password) and returns its topic and validity. Throws
 * PushCertificateError: NOT_AN_MDM_PUSH_CERTIFICATE, KEY_MISMATCH, WRONG_PASSWORD, INVALID_PKCS12,
 * EXPIRED, NOT_YET_VALID, NOT_ISSUED_BY_APPLE, INVALID_CERTIFICATE, INVALID_PRIVATE_KEY, ENCRYPTED_PRIVATE_KEY,
 * INVALID_INPUT.
 */
export function parsePushCertificate(
  input: PushCertificateInput,
  now: Date = new Date(),
  options: ParsePushCertificateOptions = {},
): PushCertificate {
  if (typeof input !== 'object' || input === null) {
    throw new PushCertificateError(
      'INVALID_INPUT',
      'expected {certificatePem, privateKeyPem} or {pkcs12Base64, password}',
    );
  }
  let identity: ReturnType<typeof importSigningIdentity>;
  try {
    // Only the leaf matters: a pasted chain (Apple's intermediates) is dropped, not validated.
    const normalized =
      'certificatePem' in input && typeof input.certificatePem === 'string'
        ? {
            certificatePem:
              input.certificatePem.match(
                /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/,
              )?.[0] ?? input.certificatePem,
            privateKeyPem: input.privateKeyPem,
          }
        : input;
    identity = importSigningIdentity(normalized, { now });
  } catch (error) {
    if (!(error instanceof SigningIdentityError)) throw error;
    const code = CODE_MAP[error.code] ?? 'INVALID_INPUT';
    const message =
      code === 'EXPIRED'
        ? error.message.replace(/^the certificate/, 'the push certificate') +
          '; renew it at identity.apple.com/pushcert (same Apple ID, same topic) and upload the renewal'
        : error.message.replace(/^the certificate/, 'the push certificate');
    throw new PushCertificateError(code, message);
  }
  const cert = new X509Certificate(identity.certificatePem);
  const topic = pushTopicOf(cert);
  if (!options.allowUntrustedIssuer) assertIssuedByApplePushCa(cert);
  return {
    topic,
    notBefore: identity.notBefore,
    notAfter: identity.notAfter,
    subject: identity.subject,
    issuer: identity.issuer,
    fingerprintSha256: identity.fingerprintSha256.replace(/:/g, '').toLowerCase(),
    certificatePem: identity.certificatePem,
    privateKeyPem: identity.privateKeyPem,
  };
}
