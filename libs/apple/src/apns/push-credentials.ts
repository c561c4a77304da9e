import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { CLIENT_REASONS } from './apns-reasons.js';

/*
 * What can be known about a push certificate without asking Apple. Checking it before connecting
 * turns an expired or mismatched certificate into one clear `certificate` outcome instead of a
 * refused TLS handshake per push, retried forever.
 */

export interface PushCredentials {
  certificatePem: string;
  privateKeyPem: string;
}

export interface CheckedPushCredentials {
  /** SHA-256 of the certificate DER, lower-case hex (of the PEM text when it cannot be parsed). */
  fingerprintSha256: string;
  /** Why the certificate can never push (unreadable, key mismatch); undefined when usable. */
  problem?: string;
  notBeforeMs: number;
  notAfterMs: number;
}

const FIRST_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/;

export function certificateFingerprint(certificatePem: string): string {
  try {
    return createHash('sha256')
      .update(new X509Certificate(firstCertificate(certificatePem)).raw)
      .digest('hex');
  } catch {
    return createHash('sha256').update(certificatePem).digest('hex');
  }
}

export function checkPushCredentials(credentials: PushCredentials): CheckedPushCredentials {
  const fingerprintSha256 = certificateFingerprint(credentials.certificatePem);
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(firstCertificate(credentials.certificatePem));
  } catch {
    return { fingerprintSha256, problem: CLIENT_REASONS.invalidCertificate, notBeforeMs: 0, notAfterMs: 0 };
  }
  const validity = { notBeforeMs: Date.parse(cert.validFrom), notAfterMs: Date.parse(cert.validTo) };
  try {
    if (!cert.checkPrivateKey(createPrivateKey(credentials.privateKeyPem))) {
      return { fingerprintSha256, problem: CLIENT_REASONS.invalidCertificate, ...validity };
    }
  } catch {
    return { fingerprintSha256, problem: CLIENT_REASONS.invalidCertificate, ...validity };
  }
  return { fingerprintSha256, ...validity };
}

/** Why these credentials cannot push at `nowMs`, or undefined. */
export function credentialsProblemAt(checked: CheckedPushCredentials, nowMs: number): string | undefined {
  if (checked.problem !== undefined) return checked.problem;
  if (nowMs > checked.notAfterMs) return CLIENT_REASONS.expiredCertificate;
  if (nowMs < checked.notBeforeMs) return CLIENT_REASONS.certificateNotYetValid;
  return undefined;
}

function firstCertificate(pem: string): string {
  return pem.match(FIRST_CERTIFICATE)?.[0] ?? pem;
}
