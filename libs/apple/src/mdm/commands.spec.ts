import { describe, expect, it } from '@jest/globals';
import { decodePlistDict, encodePlist, type PlistDict } from '../plist/plist-codec.js';
import {
  DEFAULT_DEVICE_INFORMATION_QUERIES,
  buildCommandPlist,
  extractDeviceInformation,
  extractInstalledApplications,
  extractProfileList,
  extractRestrictions,
  extractSecurityInfo,
  parseCommandReport,
  type MdmCommandRequest,
} from './commands.js';
import { MdmProtocolError, type MdmProtocolErrorCode } from './mdm-protocol-error.js';
import { loadMdmSchemas, validateMdmCommand, validateMdmCommandResponse } from './mdm-schema.js';
import { APPLE_SCHEMA_DIR } from '../../../../test/support/vendor.js';

const schemas = loadMdmSchemas(APPLE_SCHEMA_DIR);

const UDID = '00008110-000A1B2C3D4E5F60';
const COMMAND_UUID = '0f6d7c9e-3a41-4b7e-8c52-1d2e3f405162';
const PROFILE = Buffer.from(
  '<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0"><dict><key>PayloadType</key><string>Configuration</string></dict></plist>\n',
);

function refusal(run: () => unknown): { code: MdmProtocolErrorCode; message: string; key?: string } {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(MdmProtocolError);
    const { code, message, key } = error as MdmProtocolError;
    return { code, message, key };
  }
  throw new Error('expected an MdmProtocolError');
}

const report = (dict: PlistDict): Buffer => encodePlist(dict);

describe('buildCommandPlist', () => {
  const requests: MdmCommandRequest[] = [
    { RequestType: 'InstallProfile', Payload: PROFILE },
    { RequestType: 'RemoveProfile', Identifier: 'fr.gouv.rempart.dinum.messageries' },
    { RequestType: 'ProfileList' },
    { RequestType: 'ProfileList', ManagedOnly: true },
    { RequestType: 'InstalledApplicationList' },
    {
      RequestType: 'InstalledApplicationList',
      Identifiers: ['net.whatsapp.WhatsApp', 'ph.telegra.Telegraph'],
      ManagedAppsOnly: false,
      Items: ['Identifier', 'Name', 'Version', 'ShortVersion', 'BundleSize'],
    },
    { RequestType: 'DeviceInformation', Queries: [...DEFAULT_DEVICE_INFORMATION_QUERIES] },
    { RequestType: 'SecurityInfo' },
    { RequestType: 'Restrictions' },
    { RequestType: 'Restrictions', ProfileRestrictions: true },
  ];

  it.each(
    requests.map((request) => {
      const keys = Object.keys(request).filter((key) => key !== 'RequestType');
      return [`${request.RequestType}${keys.length > 0 ? ` (${keys.join(', ')})` : ''}`, request] as const;
    }),
  )('%s validates against Apple’s schema (mdm/commands) for iOS', (_name, request) => {
    const plist = buildCommandPlist(COMMAND_UUID, request);
    const result = validateMdmCommand(plist, schemas, { platform: 'iOS' });
    expect(result.issues).toEqual([]);
    const decoded = decodePlistDict(plist);
    expect(decoded.CommandUUID).toBe(COMMAND_UUID);
    expect((decoded.Command as PlistDict).RequestType).toBe(request.RequestType);
  });

  it('writes the profile as <data> and copies only the schema’s keys', () => {
    const plist = buildCommandPlist(COMMAND_UUID, {
      RequestType: 'InstallProfile',
      Payload: PROFILE,
      Extra: 'ignored',
    } as MdmCommandRequest);
    expect(plist.toString()).toContain('<data>');
    const command = decodePlistDict(plist).Command as PlistDict;
    expect(Object.keys(command).sort()).toEqual(['Payload', 'RequestType']);
    expect(Buffer.from(command.Payload as Uint8Array).equals(PROFILE)).toBe(true);
  });

  it('the default DeviceInformation queries include what Rempart records', () => {
    expect(DEFAULT_DEVICE_INFORMATION_QUERIES).toEqual(
      expect.arrayContaining([
        'IsSupervised',
        'OSVersion',
        'SerialNumber',
        'ModelName',
        'Model',
        'DeviceName',
        'UDID',
        'BuildVersion',
        'ProductName',
      ]),
    );
  });

  it('the schema check catches a wrong command (so the passing checks above mean something)', () => {
    const bad = encodePlist({
      CommandUUID: COMMAND_UUID,
      Command: { RequestType: 'DeviceInformation', Queries: ['OSVersion', 'FavouriteColour', 3] },
    });
    expect(validateMdmCommand(bad, schemas).errors.map((issue) => `${issue.code} ${issue.path}`)).toEqual([
      'NOT_IN_RANGELIST Command.Queries[1]',
      'WRONG_TYPE Command.Queries[2]',
    ]);
    const noPayload = encodePlist({
      CommandUUID: COMMAND_UUID,
      Command: { RequestType: 'InstallProfile', Payload: 'x' },
    });
    expect(validateMdmCommand(noPayload, schemas).errors[0]).toMatchObject({
      code: 'WRONG_TYPE',
      path: 'Command.Payload',
    });
    const unknown = encodePlist({ CommandUUID: COMMAND_UUID, Command: { RequestType: 'MakeCoffee' } });
    expect(validateMdmCommand(unknown, schemas).errors[0].code).toBe('UNKNOWN_REQUEST_TYPE');
  });

  it('refuses incomplete commands with INVALID_COMMAND naming the key', () => {
    const cases: [string, MdmCommandRequest][] = [
      ['Payload', { RequestType: 'InstallProfile', Payload: Buffer.alloc(0) }],
      ['Payload', { RequestType: 'InstallProfile', Payload: 'profile' } as never],
      ['Identifier', { RequestType: 'RemoveProfile', Identifier: '' }],
      ['Queries', { RequestType: 'DeviceInformation', Queries: [] }],
      ['Queries', { RequestType: 'DeviceInformation', Queries: ['OSVersion', 1] } as never],
      ['Items', { RequestType: 'InstalledApplicationList', Items: ['Colour'] }],
      ['ManagedOnly', { RequestType: 'ProfileList', ManagedOnly: 'yes' } as never],
      ['RequestType', { RequestType: 'EraseDevice' } as never],
    ];
    for (const [key, request] of cases) {
      const error = refusal(() => buildCommandPlist(COMMAND_UUID, request));
      expect(error).toMatchObject({ code: 'INVALID_COMMAND', key });
      expect(error.message).toContain(key);
    }
    expect(refusal(() => buildCommandPlist('', { RequestType: 'SecurityInfo' })).key).toBe('CommandUUID');
    expect(refusal(() => buildCommandPlist('a\nb', { RequestType: 'SecurityInfo' })).key).toBe('CommandUUID');
  });
});

describe('parseCommandReport', () => {
  it('Idle: no CommandUUID needed', () => {
    const parsed = parseCommandReport(report({ UDID, Status: 'Idle' }));
    expect(parsed).toEqual({ UDID, Status: 'Idle', payload: { Status: 'Idle', UDID } });
  });

  it('Acknowledged with response keys (ProfileList)', () => {
    const body = report({
      UDID,
      Status: 'Acknowledged',
      CommandUUID: COMMAND_UUID,
      ProfileList: [
        {
          PayloadIdentifier: 'fr.gouv.rempart.dinum.messageries',
          PayloadUUID: '9a0b1c2d-3e4f-5a6b-8c7d-9e0f1a2b3c4d',
          PayloadDisplayName: 'Messageries grand public',
          PayloadOrganization: 'DINUM',
          PayloadVersion: 1,
          PayloadRemovalDisallowed: false,
          IsEncrypted: false,
          IsManaged: true,
          PayloadContent: [
            {
              PayloadType: 'com.apple.applicationaccess',
              PayloadIdentifier: 'fr.gouv.rempart.dinum.messageries.restrictions',
              PayloadUUID: '1a2b3c4d-5e6f-5a7b-8c9d-0e1f2a3b4c5d',
              PayloadVersion: 1,
            },
          ],
        },
        { PayloadIdentifier: 'com.example.wifi', PayloadUUID: '5F4B7C0E-8D0A-4E44-9E55-6F1E2D3C4B5A' },
      ],
    });
    const parsed = parseCommandReport(body);
    expect(parsed).toMatchObject({ UDID, Status: 'Acknowledged', CommandUUID: COMMAND_UUID });
    expect(parsed.ErrorChain).toBeUndefined();
    expect(validateMdmCommandResponse('ProfileList', parsed.payload, schemas).errors).toEqual([]);
    expect(extractProfileList(parsed.payload)).toEqual([
      {
        identifier: 'fr.gouv.rempart.dinum.messageries',
        uuid: '9a0b1c2d-3e4f-5a6b-8c7d-9e0f1a2b3c4d',
        displayName: 'Messageries grand public',
        organization: 'DINUM',
        version: 1,
        isManaged: true,
        isEncrypted: false,
        removalDisallowed: false,
        payloadTypes: ['com.apple.applicationaccess'],
      },
      {
        identifier: 'com.example.wifi',
        uuid: '5F4B7C0E-8D0A-4E44-9E55-6F1E2D3C4B5A',
        displayName: 'com.example.wifi',
      },
    ]);
  });

  it('Error with an ErrorChain', () => {
    const parsed = parseCommandReport(
      report({
        UDID,
        Status: 'Error',
        CommandUUID: COMMAND_UUID,
        ErrorChain: [
          {
            ErrorCode: 4001,
            ErrorDomain: 'MCProfileErrorDomain',
            LocalizedDescription: 'Le profil « Messageries » n’a pas pu être installé.',
            USEnglishDescription: 'The profile “Messageries” could not be installed.',
          },
          { ErrorCode: 2003, ErrorDomain: 'MCInstallationErrorDomain' },
        ],
      }),
    );
    expect(parsed.Status).toBe('Error');
    expect(parsed.ErrorChain).toEqual([
      {
        ErrorCode: 4001,
        ErrorDomain: 'MCProfileErrorDomain',
        LocalizedDescription: 'Le profil « Messageries » n’a pas pu être installé.',
        USEnglishDescription: 'The profile “Messageries” could not be installed.',
      },
      { ErrorCode: 2003, ErrorDomain: 'MCInstallationErrorDomain' },
    ]);
  });

  it('NotNow and CommandFormatError carry their CommandUUID', () => {
    for (const Status of ['NotNow', 'CommandFormatError'] as const) {
      expect(parseCommandReport(report({ UDID, Status, CommandUUID: COMMAND_UUID }))).toMatchObject({
        Status,
        CommandUUID: COMMAND_UUID,
      });
    }
  });

  it('refuses bad reports, naming the problem', () => {
    const cases: [PlistDict, MdmProtocolErrorCode, string][] = [
      [{ UDID, Status: 'Acknowledged' }, 'MISSING_KEY', 'CommandUUID'],
      [{ UDID, Status: 'NotNow' }, 'MISSING_KEY', 'CommandUUID'],
      [{ UDID, Status: 'Done', CommandUUID: COMMAND_UUID }, 'INVALID_VALUE', 'Status'],
      [{ UDID }, 'MISSING_KEY', 'Status'],
      [{ Status: 'Idle' }, 'MISSING_KEY', 'UDID'],
      [{ UDID, Status: 'Error', CommandUUID: 7 }, 'WRONG_TYPE', 'CommandUUID'],
      [
        { UDID, Status: 'Error', CommandUUID: COMMAND_UUID, ErrorChain: { ErrorCode: 1 } },
        'WRONG_TYPE',
        'ErrorChain',
      ],
      [
        { UDID, Status: 'Error', CommandUUID: COMMAND_UUID, ErrorChain: ['x'] },
        'WRONG_TYPE',
        'ErrorChain[0]',
      ],
      [
        {
          UDID,
          Status: 'Error',
          CommandUUID: COMMAND_UUID,
          ErrorChain: [{ ErrorCode: '4001', ErrorDomain: 'd' }],
        },
        'WRONG_TYPE',
        'ErrorChain[0].ErrorCode',
      ],
      [
        { UDID, Status: 'Error', CommandUUID: COMMAND_UUID, ErrorChain: [{ ErrorCode: 4001 }] },
        'MISSING_KEY',
        'ErrorChain[0].ErrorDomain',
      ],
    ];
    for (const [dict, code, key] of cases) {
      const error = refusal(() => parseCommandReport(report(dict)));
      expect({ code: error.code, key: error.key }).toEqual({ code, key });
      expect(error.message).toContain(key);
    }
    expect(refusal(() => parseCommandReport(report({ UDID, Status: 'Idle' }), 64)).code).toBe('TOO_LARGE');
    expect(refusal(() => parseCommandReport(Buffer.from('<plist><dict>'))).code).toBe('MALFORMED_PLIST');
    expect(
      refusal(() =>
        parseCommandReport(Buffer.from('<!DOCTYPE plist [<!ENTITY x "y">]><plist><dict/></plist>')),
      ).code,
    ).toBe('DTD_NOT_ALLOWED');
  });
});

describe('result extractors', () => {
  it('extractInstalledApplications: optional keys may be missing, wrong types are refused', () => {
    const payload = decodePlistDict(
      report({
        UDID,
        Status: 'Acknowledged',
        CommandUUID: COMMAND_UUID,
        InstalledApplicationList: [
          {
            Identifier: 'net.whatsapp.WhatsApp',
            Name: 'WhatsApp',
            Version: '24.21.78',
            ShortVersion: '24.21.78',
            BundleSize: 312_345_678,
            Installing: false,
          },
          { Identifier: 'fr.gouv.tchap' },
          { Name: 'No identifier (macOS only)' },
        ],
      }),
    );
    expect(validateMdmCommandResponse('InstalledApplicationList', payload, schemas).errors).toEqual([]);
    expect(extractInstalledApplications(payload)).toEqual([
      {
        identifier: 'net.whatsapp.WhatsApp',
        name: 'WhatsApp',
        version: '24.21.78',
        shortVersion: '24.21.78',
        bundleSize: 312_345_678,
        installing: false,
      },
      { identifier: 'fr.gouv.tchap' },
    ]);
    const wrong: PlistDict = {
      ...payload,
      InstalledApplicationList: [{ Identifier: 'a' }, { Identifier: 'b', BundleSize: '12' }],
    };
    expect(refusal(() => extractInstalledApplications(wrong))).toMatchObject({
      code: 'WRONG_TYPE',
      key: 'InstalledApplicationList[1].BundleSize',
    });
    expect(refusal(() => extractInstalledApplications({ UDID })).code).toBe('MISSING_KEY');
  });

  it('extractDeviceInformation', () => {
    const QueryResponses = {
      UDID,
      DeviceName: 'iPhone de Camille',
      OSVersion: '18.1',
      BuildVersion: '22B83',
      ModelName: 'iPhone',
      Model: 'MLPF3ZD/A',
      ProductName: 'iPhone14,5',
      SerialNumber: 'F2LXK0ABCDEF',
      IsSupervised: false,
      BatteryLevel: 0.81,
    };
    const payload = { UDID, Status: 'Acknowledged', CommandUUID: COMMAND_UUID, QueryResponses };
    expect(validateMdmCommandResponse('DeviceInformation', payload, schemas).errors).toEqual([]);
    expect(extractDeviceInformation(payload)).toEqual({
      udid: UDID,
      deviceName: 'iPhone de Camille',
      osVersion: '18.1',
      buildVersion: '22B83',
      modelName: 'iPhone',
      model: 'MLPF3ZD/A',
      productName: 'iPhone14,5',
      serialNumber: 'F2LXK0ABCDEF',
      isSupervised: false,
      raw: QueryResponses,
    });
    expect(extractDeviceInformation({ QueryResponses: {} })).toEqual({ raw: {} });
    expect(
      refusal(() => extractDeviceInformation({ QueryResponses: { IsSupervised: 'false' } })),
    ).toMatchObject({
      code: 'WRONG_TYPE',
      key: 'QueryResponses.IsSupervised',
    });
    expect(refusal(() => extractDeviceInformation({ QueryResponses: [] })).key).toBe('QueryResponses');
  });

  it('extractSecurityInfo', () => {
    const SecurityInfo = {
      HardwareEncryptionCaps: 3,
      PasscodePresent: true,
      PasscodeCompliant: true,
      PasscodeCompliantWithProfiles: true,
      ManagementStatus: { EnrolledViaDEP: false, UserApprovedEnrollment: true, IsUserEnrollment: false },
    };
    const payload = { UDID, Status: 'Acknowledged', CommandUUID: COMMAND_UUID, SecurityInfo };
    expect(validateMdmCommandResponse('SecurityInfo', payload, schemas).errors).toEqual([]);
    expect(extractSecurityInfo(payload)).toEqual({
      hardwareEncryptionCaps: 3,
      passcodePresent: true,
      passcodeCompliant: true,
      passcodeCompliantWithProfiles: true,
      managementStatus: { enrolledViaDep: false, userApprovedEnrollment: true, isUserEnrollment: false },
      raw: SecurityInfo,
    });
    expect(
      refusal(() => extractSecurityInfo({ SecurityInfo: { ManagementStatus: { EnrolledViaDEP: 1 } } })).key,
    ).toBe('SecurityInfo.ManagementStatus.EnrolledViaDEP');
  });

  it('extractRestrictions: global and per-profile effective restrictions', () => {
    const set = {
      restrictedBool: { allowAppInstallation: { value: true }, allowCamera: { value: false } },
      restrictedValue: { maxInactivity: { value: 5 } },
      union: { blockedAppBundleIDs: { values: ['net.whatsapp.WhatsApp', 'ph.telegra.Telegraph'] } },
      intersection: { allowListedAppBundleIDs: { values: [] } },
    };
    const payload = {
      UDID,
      Status: 'Acknowledged',
      CommandUUID: COMMAND_UUID,
      GlobalRestrictions: set,
      ProfileRestrictions: { 'fr.gouv.rempart.dinum.messageries': set },
    };
    expect(validateMdmCommandResponse('Restrictions', payload, schemas).errors).toEqual([]);
    const expected = {
      restrictedBool: { allowAppInstallation: true, allowCamera: false },
      restrictedValue: { maxInactivity: 5 },
      union: { blockedAppBundleIDs: ['net.whatsapp.WhatsApp', 'ph.telegra.Telegraph'] },
      intersection: { allowListedAppBundleIDs: [] },
    };
    const restrictions = extractRestrictions(payload);
    expect(restrictions.global).toEqual(expected);
    expect(restrictions.profiles).toEqual({ 'fr.gouv.rempart.dinum.messageries': expected });
    expect(extractRestrictions({ GlobalRestrictions: {} })).toEqual({
      global: { restrictedBool: {}, restrictedValue: {}, union: {}, intersection: {} },
      raw: { GlobalRestrictions: {} },
    });
    expect(
      refusal(() =>
        extractRestrictions({ GlobalRestrictions: { union: { blockedAppBundleIDs: { values: [1] } } } }),
      ).key,
    ).toBe('GlobalRestrictions.union.blockedAppBundleIDs.values[0]');
  });

  it('extractProfileList: refuses a missing list and wrong item types', () => {
    expect(refusal(() => extractProfileList({ UDID })).key).toBe('ProfileList');
    expect(refusal(() => extractProfileList({ ProfileList: [{ PayloadIdentifier: 'a' }] })).key).toBe(
      'ProfileList[0].PayloadUUID',
    );
    expect(
      refusal(() =>
        extractProfileList({ ProfileList: [{ PayloadIdentifier: 'a', PayloadUUID: 'u', IsManaged: 'yes' }] }),
      ).key,
    ).toBe('ProfileList[0].IsManaged');
  });
});
