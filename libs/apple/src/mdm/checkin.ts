import type { PlistDict } from '../plist/plist-codec.js';
import { MdmProtocolError, decodeMdmPlist } from './mdm-protocol-error.js';
import {
  optionalBoolean,
  optionalData,
  optionalString,
  requiredData,
  requiredString,
} from './plist-fields.js';

/*
 * Check-in messages (PUT /mdm/{tenant}/checkin, Content-Type application/x-apple-aspen-mdm-checkin).
 * Keys and types follow Apple's schema (mdm/checkin/{authenticate,tokenupdate,checkout}.yaml) for
 * the iOS device channel:
 *   - Authenticate: MessageType and Topic are required. DeviceName, Model and ModelName are marked
 *     required but `introduced: n/a` on iOS (macOS only), so they are optional here. UDID is
 *     optional in the schema only because User Enrollments send an EnrollmentID instead; Rempart
 *     enrolls government phones as devices, so UDID is required.
 *   - TokenUpdate: Topic, UDID, Token (<data>), PushMagic (<string>) required; UnlockToken (<data>)
 *     and AwaitingConfiguration (<boolean>) optional. NotOnConsole, UserLongName and EnrollmentUserID
 *     are required only on macOS / user channels and are not read. UserID / UserShortName are read:
 *     when present (Shared iPad user channel) the Token is the *user* channel's and must not replace
 *     the device channel's.
 *   - CheckOut: Topic, UDID.
 * Every other MessageType (GetBootstrapToken, DeclarativeManagement, ...) parses as `Unsupported`
 * so the server can answer it without failing the request.
 */

/** 64 KiB: a check-in is a few hundred bytes. */
export const DEFAULT_CHECKIN_MAX_BYTES = 64 * 1024;

export interface AuthenticateMessage {
  MessageType: 'Authenticate';
  UDID: string;
  Topic: string;
  SerialNumber?: string;
  Model?: string;
  ModelName?: string;
  ProductName?: string;
  OSVersion?: string;
  BuildVersion?: string;
  DeviceName?: string;
  IMEI?: string;
  MEID?: string;
  EnrollmentID?: string;
}

export interface TokenUpdateMessage {
  MessageType: 'TokenUpdate';
  UDID: string;
  Topic: string;
  /** The APNs device token (send it hex-encoded in the push URL). */
  Token: Buffer;
  /** Goes in the push payload `{"mdm":"<PushMagic>"}`. */
  PushMagic: string;
  /** Needed to clear the passcode; secret, store it encrypted. */
  UnlockToken?: Buffer;
  AwaitingConfiguration?: boolean;
  /** Present on a user channel (Shared iPad): then Token/PushMagic are that channel's, not the device's. */
  UserID?: string;
  UserShortName?: string;
  EnrollmentID?: string;
}

export interface CheckOutMessage {
  MessageType: 'CheckOut';
  UDID: string;
  Topic: string;
}

export interface UnsupportedCheckinMessage {
  MessageType: 'Unsupported';
  /** The MessageType the device sent. */
  original: string;
  /** The UDID, when the message carries one (for logging). */
  UDID?: string;
}

export type CheckinMessage =
  AuthenticateMessage | TokenUpdateMessage | CheckOutMessage | UnsupportedCheckinMessage;

function udid(dict: PlistDict): string {
  if (dict.UDID === undefined && typeof dict.EnrollmentID === 'string') {
    throw new MdmProtocolError(
      'MISSING_KEY',
      'required key UDID is missing (the message carries only an EnrollmentID: User Enrollment is not supported)',
      'UDID',
    );
  }
  return requiredString(dict, 'UDID');
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function parseAuthenticate(dict: PlistDict): AuthenticateMessage {
  return withoutUndefined<AuthenticateMessage>({
    MessageType: 'Authenticate',
    UDID: udid(dict),
    Topic: requiredString(dict, 'Topic'),
    SerialNumber: optionalString(dict, 'SerialNumber'),
    Model: optionalString(dict, 'Model'),
    ModelName: optionalString(dict, 'ModelName'),
    ProductName: optionalString(dict, 'ProductName'),
    OSVersion: optionalString(dict, 'OSVersion'),
    BuildVersion: optionalString(dict, 'BuildVersion'),
    DeviceName: optionalString(dict, 'DeviceName'),
    IMEI: optionalString(dict, 'IMEI'),
    MEID: optionalString(dict, 'MEID'),
    EnrollmentID: optionalString(dict, 'EnrollmentID'),
  });
}

function parseTokenUpdate(dict: PlistDict): TokenUpdateMessage {
  return withoutUndefined<TokenUpdateMessage>({
    MessageType: 'TokenUpdate',
    UDID: udid(dict),
    Topic: requiredString(dict, 'Topic'),
    Token: requiredData(dict, 'Token'),
    PushMagic: requiredString(dict, 'PushMagic'),
    UnlockToken: optionalData(dict, 'UnlockToken'),
    AwaitingConfiguration: optionalBoolean(dict, 'AwaitingConfiguration'),
    UserID: optionalString(dict, 'UserID'),
    UserShortName: optionalString(dict, 'UserShortName'),
    EnrollmentID: optionalString(dict, 'EnrollmentID'),
  });
}

function parseCheckOut(dict: PlistDict): CheckOutMessage {
  return { MessageType: 'CheckOut', UDID: udid(dict), Topic: requiredString(dict, 'Topic') };
}

/**
 * Parses a check-in body. Throws MdmProtocolError (code + a message naming the key) when the body is
 * oversize, not a UTF-8 XML plist dictionary, carries DTD declarations, lacks a required key or has
 * a key of the wrong type. An unknown MessageType is not an error: it parses as `Unsupported`.
 */
export function parseCheckinMessage(body: Uint8Array, maxBytes = DEFAULT_CHECKIN_MAX_BYTES): CheckinMessage {
  const dict = decodeMdmPlist(body, maxBytes, 'check-in message');
  const type = requiredString(dict, 'MessageType');
  switch (type) {
    case 'Authenticate':
      return parseAuthenticate(dict);
    case 'TokenUpdate':
      return parseTokenUpdate(dict);
    case 'CheckOut':
      return parseCheckOut(dict);
    default:
      return withoutUndefined<UnsupportedCheckinMessage>({
        MessageType: 'Unsupported',
        original: type,
        UDID: typeof dict.UDID === 'string' ? dict.UDID : undefined,
      });
  }
}
