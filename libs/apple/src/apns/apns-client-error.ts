export type ApnsClientErrorCode = 'INVALID_URL' | 'INVALID_OPTION' | 'POOL_CLOSED';

/** A programming or configuration mistake in the client's options (never an APNs answer). */
export class ApnsClientError extends Error {
  override readonly name = 'ApnsClientError';
  constructor(
    readonly code: ApnsClientErrorCode,
    message: string,
  ) {
    super(message);
  }
}
