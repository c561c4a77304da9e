import { DomainException } from '#libs/platform';

/**
 * A phone's mistake or an impostor: 400. Never 401 for these: Apple's MDM client takes a 401 as
 * the end of its enrollment (it may unenroll), which a stranger must not be able to cause.
 */
export class MdmRequestRefused extends DomainException {
  constructor(code: string, message: string) {
    super(code, message, 400);
  }
}

/**
 * The device certificate was revoked by an officer: 401, the one refusal that tells the phone its
 * enrollment is over. Only the holder of the revoked certificate's key can get it.
 */
export class MdmCertificateRevoked extends DomainException {
  constructor() {
    super('CERTIFICATE_REVOKED', 'this device certificate was revoked by an officer', 401);
  }
}

/**
 * The one answer for an unknown tenant and an unknown enrollment token on the phone-facing side, so
 * that neither can be told apart from the other (nor confirmed) by probing.
 */
export class PhoneFacingNotFound extends DomainException {
  constructor() {
    super('NOT_FOUND', 'not found', 404);
  }
}
