import { resultOfConnectionError } from './connection-errors.js';

const withCode = (code: string, message = code): Error => Object.assign(new Error(message), { code });

describe('resultOfConnectionError', () => {
  it.each([
    'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED',
    'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
    'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
    'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
  ])('stops the leg when the server refuses our certificate with a TLS alert (%s)', (code) => {
    expect(resultOfConnectionError(withCode(code))).toEqual({
      status: 0,
      outcome: 'certificate',
      reason: `TlsHandshakeRefused: ${code}`,
    });
  });

  it.each(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID'])(
    'stops the leg when the server certificate is not trusted (%s)',
    (code) => {
      expect(resultOfConnectionError(withCode(code))).toEqual({
        status: 0,
        outcome: 'certificate',
        reason: `ServerCertificateUntrusted: ${code}`,
      });
    },
  );

  it.each(['ECONNRESET', 'ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT'])(
    'retries transient network errors (%s)',
    (code) => {
      expect(resultOfConnectionError(withCode(code))).toEqual({
        status: 0,
        outcome: 'retry',
        reason: `ConnectionLost: ${code}`,
      });
    },
  );

  it('keeps the message of an error without a code', () => {
    expect(resultOfConnectionError(new Error('socket hang up'))).toMatchObject({
      outcome: 'retry',
      reason: 'ConnectionLost: socket hang up',
    });
  });
});
