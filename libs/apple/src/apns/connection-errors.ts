import { CLIENT_REASONS } from './apns-reasons.js';
import type { ApnsPushResult } from './apns-types.js';

/*
 * Turns a connection-level error into a push result. TLS alerts sent by the server mean it refused
 * our certificate (Apple refuses unknown, expired and revoked push certificates during the handshake),
 * and an untrusted server certificate means a wrong APNS_URL or CA: retrying cannot help either, so
 * both stop the leg. Everything else (refused, reset, DNS) is transient.
 */

const SERVER_TRUST_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export function resultOfConnectionError(error: unknown): ApnsPushResult {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code === 'string') {
    if (/^ERR_SSL_.*ALERT/.test(code)) {
      return { status: 0, outcome: 'certificate', reason: `${CLIENT_REASONS.tlsRefused}: ${code}` };
    }
    if (SERVER_TRUST_CODES.has(code)) {
      return { status: 0, outcome: 'certificate', reason: `${CLIENT_REASONS.serverUntrusted}: ${code}` };
    }
  }
  const detail = typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
  return { status: 0, outcome: 'retry', reason: `${CLIENT_REASONS.connectionLost}: ${detail}` };
}
