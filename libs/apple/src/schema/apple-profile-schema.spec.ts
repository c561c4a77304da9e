import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { BanSpec } from '#libs/ban-spec';
import type { PlistDict } from '../plist/plist-codec.js';
import { buildRestrictionsProfile } from '../profiles/restrictions-profile.js';
import { loadAppleProfileSchemas, validatePayloadAgainstSchema } from './apple-profile-schema.js';
import { frenchMessagingBan } from '../../../../test/fixtures/ban-specs.js';
import { APPLE_SCHEMA_DIR } from '../../../../test/support/vendor.js';

const schemaDir = APPLE_SCHEMA_DIR;
const schemas = loadAppleProfileSchemas(schemaDir);

function profile(overrides: Partial<BanSpec> = {}): PlistDict {
  // A deep copy the tests may mutate.
  return structuredClone(buildRestrictionsProfile({ ...frenchMessagingBan, ...overrides })) as PlistDict;
}

function restrictions(p: PlistDict): PlistDict {
  return (p.PayloadContent as PlistDict[])[0];
}

describe('validatePayloadAgainstSchema', () => {
  it('loads Apple’s profile schemas, TopLevel and CommonPayloadKeys included', () => {
    expect(
      schemas.payloadTypes
        .get('com.apple.applicationaccess')
        ?.payloadkeys.some((k) => k.key === 'blockedAppBundleIDs'),
    ).toBe(true);
    expect(schemas.topLevel.payloadkeys.some((k) => k.key === 'PayloadContent')).toBe(true);
    expect(schemas.common.payloadkeys.some((k) => k.key === 'PayloadUUID')).toBe(true);
    // Same directory (either spelling) is parsed once.
    expect(loadAppleProfileSchemas(path.join(schemaDir, 'mdm', 'profiles'))).toBe(schemas);
  });

  it('French messaging ban profile is valid, with blockedAppBundleIDs reported as needing supervision', () => {
    const result = validatePayloadAgainstSchema(profile(), schemaDir);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.valid).toBe(true);
    expect(result.info).toEqual([
      expect.objectContaining({
        code: 'NEEDS_SUPERVISION',
        path: 'PayloadContent[0].blockedAppBundleIDs',
        message: expect.stringMatching(/supervised/),
      }),
    ]);
  });

  it('allowlist profile is valid; allowListedAppBundleIDs needs supervision too', () => {
    const result = validatePayloadAgainstSchema(profile({ mode: 'allowlist' }), schemas);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.info.map((i) => i.path)).toEqual(['PayloadContent[0].allowListedAppBundleIDs']);
  });

  it('legacy keys validate but are reported as deprecated since iOS 15', () => {
    const result = validatePayloadAgainstSchema(profile({ includeLegacyIosKeys: true }), schemas);
    expect(result.valid).toBe(true);
    expect(result.warnings).toEqual([
      expect.objectContaining({
        code: 'DEPRECATED',
        path: 'PayloadContent[0].blacklistedAppBundleIDs',
        message: expect.stringMatching(/15\.0/),
      }),
    ]);
    expect(result.info.map((i) => i.path).sort()).toEqual([
      'PayloadContent[0].blacklistedAppBundleIDs',
      'PayloadContent[0].blockedAppBundleIDs',
    ]);
  });

  it('PayloadRemovalDisallowed is a top-level key that needs supervision on iOS', () => {
    const result = validatePayloadAgainstSchema(
      buildRestrictionsProfile(frenchMessagingBan, { removalDisallowed: true }),
      schemas,
    );
    expect(result.valid).toBe(true);
    expect(result.info.map((i) => i.path)).toContain('PayloadRemovalDisallowed');
  });

  it('reports wrong types, missing required keys, values outside the rangelist and unknown keys', () => {
    const p = profile();
    const r = restrictions(p);
    r.blockedAppBundleIDs = 'net.whatsapp.WhatsApp';
    r.allowAppInstallation = 'no';
    r.blockedAppBundleIDz = ['typo'];
    delete r.PayloadUUID;
    p.PayloadVersion = 2;
    delete p.PayloadIdentifier;
    p.TargetDeviceType = 9;
    const result = validatePayloadAgainstSchema(p, schemas);
    expect(result.valid).toBe(false);
    const found = result.issues.map((i) => `${i.severity} ${i.code} ${i.path}`);
    expect(found).toEqual(
      expect.arrayContaining([
        'error WRONG_TYPE PayloadContent[0].blockedAppBundleIDs',
        'error WRONG_TYPE PayloadContent[0].allowAppInstallation',
        'warning UNKNOWN_KEY PayloadContent[0].blockedAppBundleIDz',
        'error MISSING_REQUIRED_KEY PayloadContent[0].PayloadUUID',
        'error NOT_IN_RANGELIST PayloadVersion',
        'error MISSING_REQUIRED_KEY PayloadIdentifier',
        'error NOT_IN_RANGELIST TargetDeviceType',
      ]),
    );
  });

  it('checks array items: a number in blockedAppBundleIDs is an error', () => {
    const p = profile();
    restrictions(p).blockedAppBundleIDs = ['net.whatsapp.WhatsApp', 42];
    const result = validatePayloadAgainstSchema(p, schemas);
    expect(result.errors).toEqual([
      expect.objectContaining({
        code: 'WRONG_TYPE',
        path: 'PayloadContent[0].blockedAppBundleIDs[1]',
        message: 'expected <string>, found integer',
      }),
    ]);
  });

  it('reports unknown payload types and duplicate identifiers', () => {
    const p = profile();
    const content = p.PayloadContent as PlistDict[];
    content.push({ ...content[0], PayloadType: 'com.example.nope' });
    const result = validatePayloadAgainstSchema(p, schemas);
    const found = result.errors.map((i) => `${i.code} ${i.path}`);
    expect(found).toEqual(
      expect.arrayContaining([
        'UNKNOWN_PAYLOAD_TYPE PayloadContent[1]',
        'DUPLICATE_IDENTIFIER PayloadContent[1].PayloadIdentifier',
        'DUPLICATE_IDENTIFIER PayloadContent[1].PayloadUUID',
      ]),
    );
  });

  it('validates a single payload dictionary too, and reports keys a platform does not support', () => {
    const payload = restrictions(profile());
    expect(validatePayloadAgainstSchema(payload, schemas).valid).toBe(true);
    const onMac = validatePayloadAgainstSchema(payload, schemas, { platform: 'macOS' });
    expect(onMac.warnings).toEqual([
      expect.objectContaining({
        code: 'UNSUPPORTED_ON_PLATFORM',
        path: 'blockedAppBundleIDs',
        message: 'blockedAppBundleIDs is not supported on macOS',
      }),
    ]);
    expect(validatePayloadAgainstSchema(['not', 'a', 'dict'], schemas).errors[0].code).toBe(
      'NOT_A_DICTIONARY',
    );
  });
});
