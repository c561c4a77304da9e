import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  decodePlistDict,
  encodePlist,
  extractDeviceInformation,
  extractInstalledApplications,
  extractProfileList,
  extractRestrictions,
  extractSecurityInfo,
  MdmProtocolError,
  parseCheckinMessage,
  parseCommandReport,
  PlistError,
  type PlistDict,
  type PlistValue,
} from '#libs/apple';
import { mutate, mutationArbitrary, propertySettings, strangerBytes } from './fast-check-settings.js';

/*
 * Issue 8.3, in-process: whatever a phone or a stranger sends, the parsers answer with a value or
 * their own protocol error, which the mdm process maps to a 400. Any other exception (TypeError,
 * RangeError, a stack overflow...) would be a 500.
 */

/** Runs `parse` and fails the property on anything but success or one of the `allowed` errors. */
function onlyProtocolErrors(parse: () => unknown, ...allowed: Array<new (...args: never[]) => Error>): void {
  try {
    parse();
  } catch (error) {
    if (allowed.some((type) => error instanceof type)) return;
    throw error;
  }
}

const KEYS = [
  'MessageType',
  'UDID',
  'Topic',
  'Token',
  'PushMagic',
  'UnlockToken',
  'Status',
  'CommandUUID',
  'ErrorChain',
  'ProfileList',
  'InstalledApplicationList',
  'PayloadIdentifier',
  'PayloadUUID',
  'PayloadContent',
  'Identifier',
  'QueryResponses',
  'SecurityInfo',
  'GlobalRestrictions',
  'Name',
  'Version',
];

/** Plist values shaped like what phones send: known keys, every plist type, some nesting. */
const plistDict = fc.letrec<{ value: PlistValue; dict: PlistDict }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string({ maxLength: 40 }),
    fc.constantFrom('Authenticate', 'TokenUpdate', 'CheckOut', 'Idle', 'Acknowledged', 'Error', 'NotNow'),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.uint8Array({ maxLength: 32 }).map((bytes) => Buffer.from(bytes)),
    fc.date({ noInvalidDate: true, min: new Date('1970-01-01'), max: new Date('2100-01-01') }),
    fc.array(tie('value'), { maxLength: 4 }),
    tie('dict'),
  ) as fc.Arbitrary<PlistValue>,
  // No `__proto__` key: assigning it would set the test object's prototype, not write a key.
  dict: fc.dictionary(
    fc.oneof(
      fc.constantFrom(...KEYS),
      fc.string({ maxLength: 12 }).filter((key) => key !== '__proto__'),
    ),
    tie('value'),
    { maxKeys: 6 },
  ) as fc.Arbitrary<PlistDict>,
})).dict as fc.Arbitrary<PlistDict>;

const UDID = '00008110-000A1B2C3D4E5F60';
const validCheckIns = [
  { MessageType: 'Authenticate', Topic: 'com.apple.mgmt.External.x', UDID, SerialNumber: 'F2LXK0ABCDEF' },
  {
    MessageType: 'TokenUpdate',
    Topic: 'com.apple.mgmt.External.x',
    UDID,
    Token: Buffer.alloc(32, 7),
    PushMagic: 'magic',
  },
  { MessageType: 'CheckOut', Topic: 'com.apple.mgmt.External.x', UDID },
].map((message) => encodePlist(message as unknown as PlistDict));

const validReports = [
  { UDID, Status: 'Idle' },
  {
    UDID,
    Status: 'Acknowledged',
    CommandUUID: '0F6D1B8E-8A1B-4C8E-9F2A-3B4C5D6E7F80',
    ProfileList: [
      { PayloadIdentifier: 'fr.rempart.x', PayloadUUID: 'u', PayloadContent: [{ PayloadType: 't' }] },
    ],
  },
  {
    UDID,
    Status: 'Error',
    CommandUUID: '0F6D1B8E-8A1B-4C8E-9F2A-3B4C5D6E7F80',
    ErrorChain: [{ ErrorCode: 12021, ErrorDomain: 'MCProfileErrorDomain' }],
  },
].map((message) => encodePlist(message as unknown as PlistDict));

describe('properties of the phone-facing parsers', () => {
  it('the plist decoder answers arbitrary bytes with a dictionary or a PlistError', () => {
    fc.assert(
      fc.property(strangerBytes, (bytes) => onlyProtocolErrors(() => decodePlistDict(bytes), PlistError)),
      propertySettings(),
    );
  });

  it('the plist decoder answers mutated valid plists with a dictionary or a PlistError', () => {
    fc.assert(
      fc.property(fc.constantFrom(...validCheckIns, ...validReports), mutationArbitrary, (valid, mutation) =>
        onlyProtocolErrors(() => decodePlistDict(mutate(valid, mutation)), PlistError),
      ),
      propertySettings(),
    );
  });

  it('check-in parsing answers arbitrary and mutated bodies with a message or an MdmProtocolError', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          strangerBytes,
          fc.tuple(fc.constantFrom(...validCheckIns), mutationArbitrary).map(([v, m]) => mutate(v, m)),
          plistDict.map((dict) => encodePlist(dict)),
        ),
        (body) => onlyProtocolErrors(() => parseCheckinMessage(body), MdmProtocolError),
      ),
      propertySettings(),
    );
  });

  it('command-report parsing answers arbitrary and mutated bodies with a report or an MdmProtocolError', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          strangerBytes,
          fc.tuple(fc.constantFrom(...validReports), mutationArbitrary).map(([v, m]) => mutate(v, m)),
          plistDict.map((dict) => encodePlist({ UDID, Status: 'Acknowledged', ...dict })),
        ),
        (body) => onlyProtocolErrors(() => parseCommandReport(body), MdmProtocolError),
      ),
      propertySettings(),
    );
  });

  it('every command-answer extractor refuses wrong-typed answers with an MdmProtocolError naming a key', () => {
    const extractors = [
      extractProfileList,
      extractInstalledApplications,
      extractDeviceInformation,
      extractSecurityInfo,
      extractRestrictions,
    ];
    fc.assert(
      fc.property(fc.constantFrom(...extractors), plistDict, (extract, payload) => {
        try {
          extract(payload);
        } catch (error) {
          if (!(error instanceof MdmProtocolError)) throw error;
          expect(error.message.length).toBeGreaterThan(0);
        }
      }),
      propertySettings(),
    );
  });
});
