import { PlistError, decodePlistDict, type PlistDict } from '../plist/plist-codec.js';

export type MdmProtocolErrorCode =
  /** The body is over the size limit. */
  | 'TOO_LARGE'
  /** The body carries a DTD internal subset, <!ENTITY> or another markup declaration (XXE hardening). */
  | 'DTD_NOT_ALLOWED'
  /** Not a well-formed UTF-8 XML plist (binary plists are refused too). */
  | 'MALFORMED_PLIST'
  /** The plist's root is not a <dict>. */
  | 'NOT_A_DICTIONARY'
  /** A required key is absent. `key` names it. */
  | 'MISSING_KEY'
  /** A key holds a value of the wrong plist type. `key` names it. */
  | 'WRONG_TYPE'
  /** A key has the right type but an unacceptable value (empty, not in the allowed list...). */
  | 'INVALID_VALUE'
  /** A command given to buildCommandPlist() is incomplete or malformed (a server-side bug, not the device's). */
  | 'INVALID_COMMAND';

/**
 * A check-in message, command report or command could not be read or built. The mdm process answers
 * 400 for a device's message (never 401, which makes a phone unenroll). `key` is the path of the
 * offending key (e.g. `ErrorChain[0].ErrorCode`) when there is one; `message` always names it.
 */
export class MdmProtocolError extends Error {
  override readonly name = 'MdmProtocolError';
  constructor(
    readonly code: MdmProtocolErrorCode,
    message: string,
    readonly key?: string,
  ) {
    super(message);
  }
}

/** decodePlistDict() with its PlistError mapped to MdmProtocolError (`what` names the document in messages). */
export function decodeMdmPlist(body: Uint8Array | string, maxBytes: number, what: string): PlistDict {
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) {
    throw new MdmProtocolError('MALFORMED_PLIST', `${what}: the body must be a Buffer`);
  }
  try {
    return decodePlistDict(body, { maxBytes });
  } catch (error) {
    if (!(error instanceof PlistError)) throw error;
    const code =
      error.code === 'TOO_LARGE' || error.code === 'DTD_NOT_ALLOWED' || error.code === 'NOT_A_DICTIONARY'
        ? error.code
        : 'MALFORMED_PLIST';
    throw new MdmProtocolError(code, `${what}: ${error.message}`);
  }
}
