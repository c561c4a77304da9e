export type SigningIdentityErrorCode =
  | 'INVALID_INPUT'
  | 'INPUT_TOO_LARGE'
  | 'INVALID_CERTIFICATE'
  | 'INVALID_PRIVATE_KEY'
  | 'ENCRYPTED_PRIVATE_KEY'
  | 'UNSUPPORTED_KEY_TYPE'
  | 'WEAK_KEY'
  | 'KEY_MISMATCH'
  | 'CERTIFICATE_EXPIRED'
  | 'CERTIFICATE_NOT_YET_VALID'
  | 'INVALID_CHAIN'
  | 'INVALID_PKCS12'
  | 'WRONG_PASSWORD'
  | 'PKCS12_TOO_COSTLY'
  | 'PKCS12_NO_KEY'
  | 'PKCS12_NO_MATCHING_CERTIFICATE';

/**
 * A signing identity (certificate + private key + chain) was refused. `message` is written for the
 * officer who uploaded it and never contains key material or the password.
 */
export class SigningIdentityError extends Error {
  override readonly name = 'SigningIdentityError';
  constructor(
    readonly code: SigningIdentityErrorCode,
    message: string,
  ) {
    super(message);
  }
}
