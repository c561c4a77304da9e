import { describe, expect, it } from '@jest/globals';
import { encodePlist, type PlistDict } from '../plist/plist-codec.js';
import { parseCheckinMessage } from './checkin.js';
import { MdmProtocolError, type MdmProtocolErrorCode } from './mdm-protocol-error.js';
import { loadMdmSchemas, validateCheckinAgainstSchema } from './mdm-schema.js';
import { APPLE_SCHEMA_DIR } from '../../../../test/support/vendor.js';

const schemas = loadMdmSchemas(APPLE_SCHEMA_DIR);

const UDID = '00008110-000A1B2C3D4E5F60';
const TOPIC = 'com.apple.mgmt.External.6b2a1f0e-4c1d-4f7e-9a3b-2d5c8e9f0a1b';
const TOKEN = Buffer.from('b7c5b1a2c3d4e5f60718293a4b5c6d7e8f9001122334455667788990aabbccdd', 'hex');

const authenticate: PlistDict = {
  MessageType: 'Authenticate',
  Topic: TOPIC,
  UDID,
  SerialNumber: 'F2LXK0ABCDEF',
  ProductName: 'iPhone14,5',
  OSVersion: '18.1',
  BuildVersion: '22B83',
  IMEI: '35 209900 176148 1',
};

const tokenUpdate: PlistDict = {
  MessageType: 'TokenUpdate',
  Topic: TOPIC,
  UDID,
  Token: TOKEN,
  PushMagic: '7C1A4E6B-2D3F-4B5A-9C8D-0E1F2A3B4C5D',
  UnlockToken: Buffer.from('unlock-token-bytes'),
  AwaitingConfiguration: false,
};

const checkOut: PlistDict = { MessageType: 'CheckOut', Topic: TOPIC, UDID };

function refusal(
  body: Buffer | string,
  maxBytes?: number,
): { code: MdmProtocolErrorCode; message: string; key?: string } {
  try {
    parseCheckinMessage(typeof body === 'string' ? Buffer.from(body) : body, maxBytes);
  } catch (error) {
    expect(error).toBeInstanceOf(MdmProtocolError);
    const { code, message, key } = error as MdmProtocolError;
    return { code, message, key };
  }
  throw new Error('expected an MdmProtocolError');
}

const withKeys = (base: PlistDict, changes: Record<string, unknown>): Buffer => {
  const copy: Record<string, unknown> = { ...base, ...changes };
  for (const [key, value] of Object.entries(changes)) if (value === undefined) delete copy[key];
  return encodePlist(copy as PlistDict);
};

describe('check-in samples match Apple’s schema (mdm/checkin)', () => {
  it('Authenticate, TokenUpdate and CheckOut samples validate for an iOS device enrollment', () => {
    for (const sample of [authenticate, tokenUpdate, checkOut]) {
      const result = validateCheckinAgainstSchema(encodePlist(sample), schemas);
      expect(result.issues).toEqual([]);
    }
    // ...and the validator does catch what the parser refuses.
    const { PushMagic: _omitted, ...withoutPushMagic } = tokenUpdate;
    const broken = validateCheckinAgainstSchema({ ...withoutPushMagic, Token: 'abc' }, schemas);
    expect(broken.errors.map((issue) => `${issue.code} ${issue.path}`).sort()).toEqual([
      'MISSING_REQUIRED_KEY PushMagic',
      'WRONG_TYPE Token',
    ]);
  });
});

describe('parseCheckinMessage', () => {
  it('parses Authenticate', () => {
    expect(parseCheckinMessage(encodePlist(authenticate))).toEqual({
      MessageType: 'Authenticate',
      UDID,
      Topic: TOPIC,
      SerialNumber: 'F2LXK0ABCDEF',
      ProductName: 'iPhone14,5',
      OSVersion: '18.1',
      BuildVersion: '22B83',
      IMEI: '35 209900 176148 1',
    });
  });

  it('parses a minimal Authenticate (DeviceName / Model / ModelName are macOS-only in the schema)', () => {
    const message = parseCheckinMessage(encodePlist({ MessageType: 'Authenticate', Topic: TOPIC, UDID }));
    expect(message).toEqual({ MessageType: 'Authenticate', UDID, Topic: TOPIC });
  });

  it('parses an Apple-formatted Authenticate (DOCTYPE, tabs, <string> values)', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>BuildVersion</key>
	<string>22B83</string>
	<key>DeviceName</key>
	<string>iPhone de Camille</string>
	<key>MessageType</key>
	<string>Authenticate</string>
	<key>Model</key>
	<string>iPhone14,5</string>
	<key>ModelName</key>
	<string>iPhone</string>
	<key>OSVersion</key>
	<string>18.1</string>
	<key>Topic</key>
	<string>${TOPIC}</string>
	<key>UDID</key>
	<string>${UDID}</string>
</dict>
</plist>
`;
    const message = parseCheckinMessage(Buffer.from(xml));
    expect(message).toMatchObject({
      MessageType: 'Authenticate',
      DeviceName: 'iPhone de Camille',
      ModelName: 'iPhone',
    });
  });

  it('parses TokenUpdate: Token and UnlockToken are <data> → Buffer', () => {
    const message = parseCheckinMessage(encodePlist(tokenUpdate));
    expect(message.MessageType).toBe('TokenUpdate');
    if (message.MessageType !== 'TokenUpdate') return;
    expect(Buffer.isBuffer(message.Token)).toBe(true);
    expect(message.Token.toString('hex')).toBe(TOKEN.toString('hex'));
    expect(message.PushMagic).toBe('7C1A4E6B-2D3F-4B5A-9C8D-0E1F2A3B4C5D');
    expect(message.UnlockToken?.toString()).toBe('unlock-token-bytes');
    expect(message.AwaitingConfiguration).toBe(false);
    expect(message.UserID).toBeUndefined();
  });

  it('TokenUpdate of a Shared iPad user channel exposes UserID / UserShortName', () => {
    const message = parseCheckinMessage(
      withKeys(tokenUpdate, {
        UserID: 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
        UserShortName: 'camille@gouv.fr',
      }),
    );
    expect(message).toMatchObject({ MessageType: 'TokenUpdate', UserShortName: 'camille@gouv.fr' });
  });

  it('parses CheckOut', () => {
    expect(parseCheckinMessage(encodePlist(checkOut))).toEqual({
      MessageType: 'CheckOut',
      UDID,
      Topic: TOPIC,
    });
  });

  it('other message types parse as Unsupported with the original type', () => {
    for (const type of ['GetBootstrapToken', 'DeclarativeManagement', 'UserAuthenticate', 'SomethingNew']) {
      expect(parseCheckinMessage(encodePlist({ MessageType: type, UDID, Topic: TOPIC }))).toEqual({
        MessageType: 'Unsupported',
        original: type,
        UDID,
      });
    }
  });

  it('missing required keys → MISSING_KEY naming the key', () => {
    const cases: [Buffer, string][] = [
      [withKeys(authenticate, { UDID: undefined }), 'UDID'],
      [withKeys(authenticate, { Topic: undefined }), 'Topic'],
      [withKeys(tokenUpdate, { Token: undefined }), 'Token'],
      [withKeys(tokenUpdate, { PushMagic: undefined }), 'PushMagic'],
      [withKeys(checkOut, { UDID: undefined }), 'UDID'],
      [encodePlist({ UDID, Topic: TOPIC }), 'MessageType'],
    ];
    for (const [body, key] of cases) {
      const { code, message, key: reported } = refusal(body);
      expect(code).toBe('MISSING_KEY');
      expect(reported).toBe(key);
      expect(message).toContain(key);
    }
    const userEnrollment = refusal(withKeys(authenticate, { UDID: undefined, EnrollmentID: 'ABCD-1234' }));
    expect(userEnrollment.message).toMatch(/User Enrollment is not supported/);
  });

  it('wrong types → WRONG_TYPE naming the key; empty required values → INVALID_VALUE', () => {
    const cases: [Buffer, string][] = [
      [withKeys(tokenUpdate, { Token: TOKEN.toString('base64') }), 'Token'],
      [withKeys(tokenUpdate, { PushMagic: 42 }), 'PushMagic'],
      [withKeys(tokenUpdate, { UnlockToken: 'x' }), 'UnlockToken'],
      [withKeys(tokenUpdate, { AwaitingConfiguration: 'false' }), 'AwaitingConfiguration'],
      [withKeys(authenticate, { UDID: 12345 }), 'UDID'],
      [withKeys(authenticate, { SerialNumber: ['F2LXK0ABCDEF'] }), 'SerialNumber'],
      [withKeys(authenticate, { MessageType: 1 }), 'MessageType'],
    ];
    for (const [body, key] of cases) {
      const { code, message } = refusal(body);
      expect(code).toBe('WRONG_TYPE');
      expect(message).toMatch(new RegExp(`^${key} must be`));
    }
    expect(refusal(withKeys(tokenUpdate, { Token: Buffer.alloc(0) })).code).toBe('INVALID_VALUE');
    expect(refusal(withKeys(authenticate, { UDID: '  ' })).code).toBe('INVALID_VALUE');
  });

  it('malformed, DOCTYPE/entities, oversize, non-dictionary and binary bodies are refused', () => {
    expect(refusal('<plist><dict><key>MessageType</key>').code).toBe('MALFORMED_PLIST');
    expect(refusal('MessageType=Authenticate').code).toBe('MALFORMED_PLIST');
    expect(refusal(Buffer.from('bplist00\u00d1\u0001\u0002', 'latin1')).code).toBe('MALFORMED_PLIST');
    const xxe = `<?xml version="1.0"?>
<!DOCTYPE plist [<!ENTITY udid SYSTEM "file:///etc/passwd">]>
<plist version="1.0"><dict><key>MessageType</key><string>CheckOut</string><key>Topic</key><string>t</string><key>UDID</key><string>&udid;</string></dict></plist>`;
    expect(refusal(xxe).code).toBe('DTD_NOT_ALLOWED');
    const laughs = `<!DOCTYPE plist [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><plist><dict/></plist>`;
    expect(refusal(laughs).code).toBe('DTD_NOT_ALLOWED');
    expect(refusal('<plist version="1.0"><array><string>x</string></array></plist>').code).toBe(
      'NOT_A_DICTIONARY',
    );

    const padded = encodePlist({ ...authenticate, DeviceName: 'x'.repeat(70 * 1024) });
    const { code, message } = refusal(padded);
    expect(code).toBe('TOO_LARGE');
    expect(message).toMatch(/65536-byte limit/);
    expect(refusal(encodePlist(authenticate), 100).code).toBe('TOO_LARGE');
  });
});
