import { describe, expect, it } from '@jest/globals';
import {
  type DiscoveryDocument,
  parseDiscoveryDocument,
  validateAgainstDiscovery,
} from './discovery-validator.js';
import { readDiscoveryDocument } from '../../../test/support/vendor.js';

const discovery = parseDiscoveryDocument(readDiscoveryDocument());

const validPolicy = () => ({
  applications: [{ packageName: 'com.whatsapp', installType: 'BLOCKED' }],
  playStoreMode: 'BLACKLIST',
});

describe('validateAgainstDiscovery', () => {
  it('loads the real discovery document (AMAPI v1)', () => {
    expect(discovery.name).toBe('androidmanagement');
    expect(discovery.version).toBe('v1');
    expect(discovery.schemas.Policy).toBeDefined();
  });

  it('accepts a valid Policy', () => {
    expect(validateAgainstDiscovery(validPolicy(), 'Policy', discovery)).toEqual([]);
  });

  it('catches an unknown field, with its JSON path', () => {
    const policy = {
      ...validPolicy(),
      applications: [{ packageName: 'com.whatsapp', instalType: 'BLOCKED' }],
    };
    expect(validateAgainstDiscovery(policy, 'Policy', discovery)).toEqual([
      {
        path: '$.applications[0].instalType',
        code: 'unknown-field',
        message: 'unknown field instalType in ApplicationPolicy',
      },
    ]);
    expect(validateAgainstDiscovery({ blockedApps: [] }, 'Policy', discovery)).toMatchObject([
      { path: '$.blockedApps', code: 'unknown-field' },
    ]);
  });

  it('catches a bad enum value (the renamed values do not exist on Policy.playStoreMode)', () => {
    expect(validateAgainstDiscovery({ playStoreMode: 'BLOCKLIST' }, 'Policy', discovery)).toMatchObject([
      { path: '$.playStoreMode', code: 'bad-enum' },
    ]);
    expect(
      validateAgainstDiscovery(
        { applications: [{ packageName: 'com.whatsapp', installType: 'BANNED' }] },
        'Policy',
        discovery,
      ),
    ).toMatchObject([{ path: '$.applications[0].installType', code: 'bad-enum' }]);
  });

  it('catches deprecated fields (blockApplicationsEnabled, installUnknownSourcesAllowed, lockTaskAllowed)', () => {
    const issues = validateAgainstDiscovery(
      {
        ...validPolicy(),
        blockApplicationsEnabled: true,
        installUnknownSourcesAllowed: false,
        applications: [{ packageName: 'io.olvid.messenger', lockTaskAllowed: true }],
      },
      'Policy',
      discovery,
    );
    expect(issues.map((i) => [i.path, i.code])).toEqual([
      ['$.applications[0].lockTaskAllowed', 'deprecated-field'],
      ['$.blockApplicationsEnabled', 'deprecated-field'],
      ['$.installUnknownSourcesAllowed', 'deprecated-field'],
    ]);
    expect(issues[1].message).toContain('This field has no effect.');
  });

  it('catches deprecated enum values (installType KIOSK, personalPlayStoreMode BLACKLIST)', () => {
    const issues = validateAgainstDiscovery(
      {
        applications: [{ packageName: 'fr.gouv.tchap.a', installType: 'KIOSK' }],
        personalUsagePolicies: { personalPlayStoreMode: 'BLACKLIST' },
      },
      'Policy',
      discovery,
    );
    expect(issues).toEqual([
      {
        path: '$.applications[0].installType',
        code: 'deprecated-enum',
        message: 'enum value KIOSK is deprecated',
      },
      {
        path: '$.personalUsagePolicies.personalPlayStoreMode',
        code: 'deprecated-enum',
        message: 'enum value BLACKLIST is deprecated',
      },
    ]);
  });

  it('catches wrong types', () => {
    const issues = validateAgainstDiscovery(
      {
        applications: { packageName: 'com.whatsapp' },
        statusReportingSettings: { applicationReportsEnabled: 'true' },
        maximumTimeToLock: 60000, // int64 travels as a string in discovery JSON
        playStoreMode: null,
      },
      'Policy',
      discovery,
    );
    expect(issues.map((i) => [i.path, i.code, i.message])).toEqual([
      ['$.applications', 'wrong-type', 'expected an array, got object'],
      ['$.statusReportingSettings.applicationReportsEnabled', 'wrong-type', 'expected a boolean, got string'],
      ['$.maximumTimeToLock', 'wrong-type', 'expected a string (int64), got integer 60000'],
      ['$.playStoreMode', 'wrong-type', 'null is not allowed (omit the field instead)'],
    ]);
    expect(validateAgainstDiscovery({ maximumTimeToLock: '60000' }, 'Policy', discovery)).toEqual([]);
    expect(validateAgainstDiscovery({ maximumTimeToLock: '1 min' }, 'Policy', discovery)).toMatchObject([
      { path: '$.maximumTimeToLock', code: 'bad-format' },
    ]);
    expect(validateAgainstDiscovery('not an object', 'Policy', discovery)).toMatchObject([
      { path: '$', code: 'wrong-type' },
    ]);
  });

  it('catches output-only and read-only fields', () => {
    expect(validateAgainstDiscovery({ ...validPolicy(), version: '7' }, 'Policy', discovery)).toMatchObject([
      { path: '$.version', code: 'output-only' },
    ]);
    expect(
      validateAgainstDiscovery({ policyName: 'p1', value: 'ABCDEF' }, 'EnrollmentToken', discovery),
    ).toMatchObject([{ path: '$.value', code: 'output-only' }]);
    expect(
      validateAgainstDiscovery({ enterpriseType: 'MANAGED_GOOGLE_DOMAIN' }, 'Enterprise', discovery),
    ).toMatchObject([{ path: '$.enterpriseType', code: 'output-only' }]);
  });

  it('walks additionalProperties maps and formats (duration)', () => {
    const ok = { shortSupportMessage: { defaultMessage: 'Non', localizedMessages: { 'fr-FR': 'Interdit' } } };
    expect(validateAgainstDiscovery(ok, 'Policy', discovery)).toEqual([]);
    const bad = { shortSupportMessage: { localizedMessages: { 'fr-FR': 42 } } };
    expect(validateAgainstDiscovery(bad, 'Policy', discovery)).toMatchObject([
      { path: '$.shortSupportMessage.localizedMessages["fr-FR"]', code: 'wrong-type' },
    ]);
    // managedConfiguration is a map of `any`.
    const managed = {
      applications: [{ packageName: 'fr.gouv.tchap.a', managedConfiguration: { a: [1, { b: 2 }] } }],
    };
    expect(validateAgainstDiscovery(managed, 'Policy', discovery)).toEqual([]);
    expect(validateAgainstDiscovery({ duration: '3600s' }, 'EnrollmentToken', discovery)).toEqual([]);
    expect(validateAgainstDiscovery({ duration: '1h' }, 'EnrollmentToken', discovery)).toMatchObject([
      { path: '$.duration', code: 'bad-format' },
    ]);
  });

  it('reports an unknown schema name and a missing $ref target', () => {
    expect(validateAgainstDiscovery({}, 'NoSuchSchema', discovery)).toMatchObject([
      { path: '$', code: 'unknown-schema' },
    ]);
    const broken: DiscoveryDocument = {
      schemas: { A: { id: 'A', type: 'object', properties: { b: { $ref: 'B' } } } },
    };
    expect(validateAgainstDiscovery({ b: {} }, 'A', broken)).toMatchObject([
      { path: '$.b', code: 'unknown-schema' },
    ]);
  });

  it('rejects text that is not a discovery document', () => {
    expect(() => parseDiscoveryDocument('{"kind":"x"}')).toThrow(/no "schemas" object/);
  });
});
