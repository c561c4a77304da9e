/** Why a SCEP HTTP request could not be answered with a SCEP message. */
export type ScepErrorCode =
  | 'UNKNOWN_OPERATION'
  | 'UNSUPPORTED_OPERATION'
  | 'METHOD_NOT_ALLOWED'
  | 'MISSING_MESSAGE'
  | 'MESSAGE_TOO_LARGE'
  | 'MALFORMED_MESSAGE'
  | 'CA_MISCONFIGURED';

const HTTP_STATUS: Record<ScepErrorCode, number> = {
  UNKNOWN_OPERATION: 400,
  UNSUPPORTED_OPERATION: 501,
  METHOD_NOT_ALLOWED: 405,
  MISSING_MESSAGE: 400,
  MESSAGE_TOO_LARGE: 413,
  MALFORMED_MESSAGE: 400,
  CA_MISCONFIGURED: 500,
};

/**
 * A request the SCEP server cannot process at all (garbage, unknown operation, oversized
 * message, or a broken CA configuration). Requests that parse but are refused get a signed
 * CertRep with pkiStatus FAILURE instead.
 */
export class ScepError extends Error {
  readonly httpStatus: number;

  constructor(
    readonly code: ScepErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ScepError';
    this.httpStatus = HTTP_STATUS[code];
  }
}
