import { DomainException } from '#libs/platform';

export type AuthExceptionCode =
  | 'TOKEN_MISSING'
  | 'TOKEN_MALFORMED'
  | 'TOKEN_UNKNOWN'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_REVOKED'
  | 'SESSION_UNKNOWN'
  | 'SESSION_EXPIRED'
  | 'OFFICER_DISABLED'
  | 'ROLE_INSUFFICIENT';

export class AuthException extends DomainException {
  constructor(code: AuthExceptionCode, message: string) {
    super(code, message, code === 'ROLE_INSUFFICIENT' ? 403 : 401);
  }
}
