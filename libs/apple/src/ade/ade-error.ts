/** Why an ADE input (server token, MachineInfo, profile) was refused; each code says what to do. */
export type AdeInputErrorCode =
  | 'TOKEN_NOT_SMIME'
  | 'TOKEN_CORRUPT'
  | 'TOKEN_WRONG_KEY'
  | 'TOKEN_CONTENT_INVALID'
  | 'TOKEN_EXPIRED'
  | 'MACHINE_INFO_MALFORMED'
  | 'MACHINE_INFO_BAD_SIGNATURE'
  | 'MACHINE_INFO_UNTRUSTED'
  | 'MACHINE_INFO_INCOMPLETE'
  | 'PROFILE_INVALID';

export class AdeInputError extends Error {
  override readonly name = 'AdeInputError';
  constructor(
    readonly code: AdeInputErrorCode,
    message: string,
  ) {
    super(message);
  }
}
