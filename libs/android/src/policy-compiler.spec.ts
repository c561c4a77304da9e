import { describe, expect, it } from '@jest/globals';
import type { BanSpec } from '#libs/ban-spec';
import { parseDiscoveryDocument, validateAgainstDiscovery } from './discovery-validator.js';
import {
  AndroidPolicyCompileError,
  compileAndroidPolicy,
  MAX_ANDROID_APPLICATIONS,
  serializeAndroidPolicy,
} from './policy-compiler.js';
import { readDiscoveryDocument } from '../../../test/support/vendor.js';

const discovery = parseDiscoveryDocument(readDiscoveryDocument());

type BanSpecOverrides = Partial<Omit<BanSpec, 'android'>> & { android?: Partial<BanSpec['android']> };

function banSpec(overrides: BanSpecOverrides = {}): BanSpec {
  const { android, ...rest } = overrides;
  return {
    policy: {
      tenantSlug: 'dinum',
      slug: 'messageries',
      name: 'Messageries grand public',
      version: 3,
      organization: 'DINUM',
      description: 'Interdit les messageries grand public sur les téléphones de l’État.',
    },
    mode: 'blocklist',
    includeLegacyIosKeys: false,
    ios: { blocked: [], allowed: [] },
    ...rest,
    android: { blocked: [], allowed: [], forceInstalled: [], ...android },
  };
}

// The French government's consumer-messaging ban: WhatsApp, Telegram and Signal out; Olvid and Tchap in.
const frenchMessagingBan = banSpec({
  android: {
    blocked: ['com.whatsapp', 'org.telegram.messenger', 'org.thoughtcrime.securesms'],
    allowed: ['fr.gouv.tchap.a', 'io.olvid.messenger'],
  },
});

describe('compileAndroidPolicy', () => {
  it('French messaging ban: blocks WhatsApp/Telegram/Signal, makes Olvid/Tchap available, passes discovery', () => {
    const policy = compileAndroidPolicy(frenchMessagingBan);

    expect(policy.applications).toEqual([
      { packageName: 'com.whatsapp', installType: 'BLOCKED' },
      { packageName: 'fr.gouv.tchap.a', installType: 'AVAILABLE' },
      { packageName: 'io.olvid.messenger', installType: 'AVAILABLE' },
      { packageName: 'org.telegram.messenger', installType: 'BLOCKED' },
      { packageName: 'org.thoughtcrime.securesms', installType: 'BLOCKED' },
    ]);
    expect(policy.playStoreMode).toBe('BLACKLIST');
    expect(policy.statusReportingSettings).toEqual({
      applicationReportsEnabled: true,
      applicationReportingSettings: { includeRemovedApps: true },
      softwareInfoEnabled: true,
      deviceSettingsEnabled: true,
    });
    expect(policy.advancedSecurityOverrides.untrustedAppsPolicy).toBe('DISALLOW_INSTALL');

    expect(validateAgainstDiscovery(policy, 'Policy', discovery)).toEqual([]);
    // The serialized bytes are what gets sent; validate those too.
    expect(
      validateAgainstDiscovery(JSON.parse(serializeAndroidPolicy(policy).toString()), 'Policy', discovery),
    ).toEqual([]);
  });

  it('French messaging ban: exact bytes (golden)', () => {
    expect(serializeAndroidPolicy(compileAndroidPolicy(frenchMessagingBan)).toString('utf8')).toBe(
      `{
  "advancedSecurityOverrides": {
    "developerSettings": "DEVELOPER_SETTINGS_DISABLED",
    "googlePlayProtectVerifyApps": "VERIFY_APPS_ENFORCED",
    "untrustedAppsPolicy": "DISALLOW_INSTALL"
  },
  "applications": [
    {
      "installType": "BLOCKED",
      "packageName": "com.whatsapp"
    },
    {
      "installType": "AVAILABLE",
      "packageName": "fr.gouv.tchap.a"
    },
    {
      "installType": "AVAILABLE",
      "packageName": "io.olvid.messenger"
    },
    {
      "installType": "BLOCKED",
      "packageName": "org.telegram.messenger"
    },
    {
      "installType": "BLOCKED",
      "packageName": "org.thoughtcrime.securesms"
    }
  ],
  "playStoreMode": "BLACKLIST",
  "statusReportingSettings": {
    "applicationReportingSettings": {
      "includeRemovedApps": true
    },
    "applicationReportsEnabled": true,
    "deviceSettingsEnabled": true,
    "softwareInfoEnabled": true
  }
}
`,
    );
  });

  it('never emits deprecated, ineffective or read-only Policy fields', () => {
    const policy = compileAndroidPolicy(frenchMessagingBan) as unknown as Record<string, unknown>;
    for (const field of ['blockApplicationsEnabled', 'installUnknownSourcesAllowed', 'version', 'name']) {
      expect(policy).not.toHaveProperty(field);
    }
    // Evidence the choice rests on, so a newer discovery revision that changes it fails here.
    const props = discovery.schemas.Policy.properties!;
    expect(props.blockApplicationsEnabled).toMatchObject({
      deprecated: true,
      description: 'This field has no effect.',
    });
    expect(props.installUnknownSourcesAllowed).toMatchObject({ deprecated: true });
    expect(props.version.description).toContain('This is a read-only field.');
    expect(props.playStoreMode.enum).toEqual(['PLAY_STORE_MODE_UNSPECIFIED', 'WHITELIST', 'BLACKLIST']);
    expect(props.playStoreMode.enumDeprecated).toBeUndefined();
  });

  it('allowlist mode: WHITELIST, approved apps available, banned apps still explicitly BLOCKED', () => {
    const policy = compileAndroidPolicy({ ...frenchMessagingBan, mode: 'allowlist' });

    expect(policy.playStoreMode).toBe('WHITELIST');
    expect(
      policy.applications.filter((a) => a.installType === 'AVAILABLE').map((a) => a.packageName),
    ).toEqual(['fr.gouv.tchap.a', 'io.olvid.messenger']);
    expect(policy.applications.filter((a) => a.installType === 'BLOCKED').map((a) => a.packageName)).toEqual([
      'com.whatsapp',
      'org.telegram.messenger',
      'org.thoughtcrime.securesms',
    ]);
    expect(validateAgainstDiscovery(policy, 'Policy', discovery)).toEqual([]);
  });

  it('allowlist mode with nothing blocked lists only the approved apps', () => {
    const policy = compileAndroidPolicy(
      banSpec({ mode: 'allowlist', android: { allowed: ['io.olvid.messenger'] } }),
    );
    expect(policy).toMatchObject({
      playStoreMode: 'WHITELIST',
      applications: [{ packageName: 'io.olvid.messenger', installType: 'AVAILABLE' }],
    });
    expect(validateAgainstDiscovery(policy, 'Policy', discovery)).toEqual([]);
  });

  it('force-installed apps are FORCE_INSTALLED (once, even if also allowed); a ban beats everything', () => {
    const policy = compileAndroidPolicy(
      banSpec({
        android: {
          blocked: ['com.whatsapp'],
          allowed: ['fr.gouv.tchap.a', 'io.olvid.messenger'],
          forceInstalled: ['fr.gouv.tchap.a', 'com.whatsapp'],
        },
      }),
    );

    expect(policy.applications).toEqual([
      { packageName: 'com.whatsapp', installType: 'BLOCKED' },
      { packageName: 'fr.gouv.tchap.a', installType: 'FORCE_INSTALLED' },
      { packageName: 'io.olvid.messenger', installType: 'AVAILABLE' },
    ]);
    expect(validateAgainstDiscovery(policy, 'Policy', discovery)).toEqual([]);
  });

  it('rejects invalid package names and more than 3,000 applications', () => {
    expect(() => compileAndroidPolicy(banSpec({ android: { blocked: ['whatsapp'] } }))).toThrow(
      AndroidPolicyCompileError,
    );
    expect(() => compileAndroidPolicy(banSpec({ android: { allowed: ['fr.gouv.tchap.a '] } }))).toThrow(
      /spec\.android\.allowed contains an invalid package name/,
    );
    const tooMany = Array.from({ length: MAX_ANDROID_APPLICATIONS + 1 }, (_, i) => `com.example.app${i}`);
    expect(() => compileAndroidPolicy(banSpec({ android: { blocked: tooMany } }))).toThrow(/at most 3000/);
    expect(
      compileAndroidPolicy(banSpec({ android: { blocked: tooMany.slice(1) } })).applications,
    ).toHaveLength(MAX_ANDROID_APPLICATIONS);
  });

  it('does not mutate the spec', () => {
    const spec = banSpec({ android: { blocked: ['org.telegram.messenger', 'com.whatsapp'] } });
    const before = JSON.stringify(spec);
    compileAndroidPolicy(spec);
    expect(JSON.stringify(spec)).toBe(before);
  });
});

describe('serializeAndroidPolicy', () => {
  it('deterministic bytes: same spec in any input order gives identical bytes', () => {
    const shuffled = banSpec({
      android: {
        blocked: ['org.thoughtcrime.securesms', 'com.whatsapp', 'org.telegram.messenger', 'com.whatsapp'],
        allowed: ['io.olvid.messenger', 'fr.gouv.tchap.a'],
      },
    });
    const a = serializeAndroidPolicy(compileAndroidPolicy(frenchMessagingBan));
    const b = serializeAndroidPolicy(compileAndroidPolicy(shuffled));

    expect(Buffer.isBuffer(a)).toBe(true);
    expect(b.equals(a)).toBe(true);
    expect(serializeAndroidPolicy(compileAndroidPolicy(frenchMessagingBan)).equals(a)).toBe(true);
  });

  it('sorts keys at every level regardless of insertion order, 2-space indent, trailing newline', () => {
    const policy = compileAndroidPolicy(frenchMessagingBan);
    const reordered = {
      statusReportingSettings: {
        softwareInfoEnabled: true,
        deviceSettingsEnabled: true,
        applicationReportingSettings: { includeRemovedApps: true },
        applicationReportsEnabled: true,
      },
      advancedSecurityOverrides: {
        untrustedAppsPolicy: 'DISALLOW_INSTALL',
        developerSettings: 'DEVELOPER_SETTINGS_DISABLED',
        googlePlayProtectVerifyApps: 'VERIFY_APPS_ENFORCED',
      },
      playStoreMode: policy.playStoreMode,
      applications: policy.applications.map(({ installType, packageName }) => ({ installType, packageName })),
    } as const;

    const bytes = serializeAndroidPolicy(reordered);
    expect(bytes.equals(serializeAndroidPolicy(policy))).toBe(true);
    const text = bytes.toString('utf8');
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.endsWith('\n\n')).toBe(false);
    expect(text.split('\n')[1]).toBe('  "advancedSecurityOverrides": {');
    expect(Object.keys(JSON.parse(text))).toEqual([
      'advancedSecurityOverrides',
      'applications',
      'playStoreMode',
      'statusReportingSettings',
    ]);
  });
});
