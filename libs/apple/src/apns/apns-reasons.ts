import type { ApnsOutcome } from './apns-types.js';

/*
 * How APNs answers map onto what a rollout does next. Reason strings are Apple's ("Handling
 * notification responses from APNs"; the same list is in docs.rs a2 ErrorReason). MDM pushes use
 * certificate authentication, so every 403 is about the push certificate.
 */

/** Reasons the client itself gives when no HTTP answer came, or when it refused to send. */
export const CLIENT_REASONS = {
  /** No answer within requestTimeoutMs. */
  timeout: 'Timeout',
  /** The connection could not be opened within connectTimeoutMs. */
  connectTimeout: 'ConnectTimeout',
  /** The connection failed or was lost before an answer (reset, GOAWAY, socket error). */
  connectionLost: 'ConnectionLost',
  /** The TLS handshake was refused (alert from the server: unknown, expired or revoked certificate). */
  tlsRefused: 'TlsHandshakeRefused',
  /** The server's TLS certificate is not trusted (wrong APNS_URL or APNS_CA_FILE). */
  serverUntrusted: 'ServerCertificateUntrusted',
  /** The push certificate's notAfter is past: Apple refuses it; renew it at identity.apple.com/pushcert. */
  expiredCertificate: 'ExpiredCertificate',
  /** The push certificate's notBefore is in the future. */
  certificateNotYetValid: 'CertificateNotYetValid',
  /** The certificate or key PEM cannot be read, or the key does not match the certificate. */
  invalidCertificate: 'InvalidCertificate',
  /** close() was called before the push was sent. */
  clientClosed: 'ClientClosed',
} as const;

/** 400 reasons that condemn the certificate/topic pair rather than one device. */
const CERTIFICATE_400_REASONS = new Set(['TopicDisallowed']);
/** 400 reasons about the connection, not the push. */
const RETRY_400_REASONS = new Set(['IdleTimeout']);

export function outcomeOf(status: number, reason: string | undefined): ApnsOutcome {
  if (status === 200) return 'accepted';
  if (status === 410) return 'unregistered';
  if (status === 429 || status >= 500 || status === 408) return 'retry';
  if (status === 403) return 'certificate';
  if (status === 400 && reason !== undefined) {
    if (CERTIFICATE_400_REASONS.has(reason)) return 'certificate';
    if (RETRY_400_REASONS.has(reason)) return 'retry';
  }
  return 'rejected';
}

/** Device tokens are hex; Apple's are 32 bytes today, and may grow (up to 100 bytes is documented). */
const DEVICE_TOKEN = /^(?:[0-9a-fA-F]{2}){8,200}$/;

export function isValidDeviceToken(token: unknown): token is string {
  return typeof token === 'string' && DEVICE_TOKEN.test(token);
}
