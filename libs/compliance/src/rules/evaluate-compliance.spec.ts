import { describe, expect, it } from '@jest/globals';
import type { ApplicablePolicy, DeviceFacts } from './compliance-facts.js';
import { evaluateCompliance } from './evaluate-compliance.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const HOUR = 3600_000;
const options = { now: NOW, freshnessSeconds: 24 * 3600 };
const WHATSAPP = { identifier: 'net.whatsapp.WhatsApp', name: 'WhatsApp' };
const OLVID = { identifier: 'io.olvid.messenger', name: 'Olvid' };
const PROFILE = { identifier: 'fr.rempart.dinum.messageries', uuid: 'AAAA-2' };

function iphone(overrides: Partial<DeviceFacts> = {}): DeviceFacts {
  return {
    platform: 'ios',
    enrolled: true,
    supervised: true,
    lastSeenAt: new Date(NOW.getTime() - HOUR),
    inventory: {
      appsReportedAt: new Date(NOW.getTime() - HOUR),
      profilesReportedAt: new Date(NOW.getTime() - HOUR),
      failedAt: null,
      error: null,
    },
    installedApps: [OLVID],
    installedProfiles: [PROFILE],
    ...overrides,
  };
}

function messaging(overrides: Partial<ApplicablePolicy> = {}): ApplicablePolicy {
  return {
    slug: 'messageries',
    version: 2,
    mode: 'blocklist',
    blocked: [WHATSAPP.identifier, 'ph.telegra.Telegraph'],
    allowed: [OLVID.identifier, 'fr.gouv.tchap'],
    profile: PROFILE,
    delivery: 'done',
    ...overrides,
  };
}

describe('evaluateCompliance', () => {
  it('is compliant when the profile of the current version is installed and no banned app is', () => {
    expect(evaluateCompliance(iphone(), [messaging()], options)).toEqual({
      status: 'compliant',
      reasons: [],
      warnings: [],
      bannedApps: [],
    });
  });

  it('is non_compliant naming each banned app and the policy that bans it', () => {
    const verdict = evaluateCompliance(iphone({ installedApps: [WHATSAPP, OLVID] }), [messaging()], options);
    expect(verdict.status).toBe('non_compliant');
    expect(verdict.reasons).toEqual([
      { code: 'banned_app', app: WHATSAPP.identifier, name: 'WhatsApp', policy: 'messageries', version: 2 },
    ]);
    expect(verdict.bannedApps).toEqual([WHATSAPP.identifier]);
  });

  it('stays non_compliant on an unsupervised iPhone with a banned app, and during a rollout', () => {
    const facts = iphone({ supervised: false, installedApps: [WHATSAPP] });
    expect(evaluateCompliance(facts, [messaging({ delivery: 'in_flight' })], options).status).toBe(
      'non_compliant',
    );
  });

  it('is non_compliant when the profile is missing or of an older version', () => {
    expect(evaluateCompliance(iphone({ installedProfiles: [] }), [messaging()], options).reasons).toEqual([
      { code: 'profile_missing', policy: 'messageries', version: 2 },
    ]);
    const old = iphone({ installedProfiles: [{ identifier: PROFILE.identifier, uuid: 'AAAA-1' }] });
    const verdict = evaluateCompliance(old, [messaging()], options);
    expect(verdict.status).toBe('non_compliant');
    expect(verdict.reasons).toEqual([{ code: 'profile_outdated', policy: 'messageries', version: 2 }]);
  });

  it('is pending while a rollout to the device is in flight', () => {
    const verdict = evaluateCompliance(
      iphone({ installedProfiles: [] }),
      [messaging({ delivery: 'in_flight' })],
      options,
    );
    expect(verdict).toMatchObject({
      status: 'pending',
      reasons: [{ code: 'rollout_in_flight', policy: 'messageries', version: 2 }],
    });
  });

  it('is unenforceable on an unsupervised iPhone without a banned app', () => {
    expect(evaluateCompliance(iphone({ supervised: false }), [messaging()], options)).toMatchObject({
      status: 'unenforceable',
      reasons: [{ code: 'unsupervised' }],
    });
  });

  it('is stale when not seen within the freshness window, even with a clean last inventory', () => {
    const verdict = evaluateCompliance(
      iphone({ lastSeenAt: new Date(NOW.getTime() - 25 * HOUR) }),
      [messaging()],
      options,
    );
    expect(verdict.status).toBe('stale');
    expect(verdict.reasons[0].code).toBe('not_seen');
  });

  it('is unknown before the first inventory and for a device not enrolled', () => {
    const none = iphone({ inventory: { ...iphone().inventory, appsReportedAt: null } });
    expect(evaluateCompliance(none, [messaging()], options)).toMatchObject({
      status: 'unknown',
      reasons: [{ code: 'no_inventory' }],
    });
    expect(evaluateCompliance(iphone({ enrolled: false }), [messaging()], options).status).toBe('unknown');
  });

  it('never calls a failed or partial inventory compliant', () => {
    const failed = iphone({
      inventory: {
        ...iphone().inventory,
        failedAt: NOW,
        error: 'InstalledApplicationList: MDMErrorDomain 12021',
      },
    });
    expect(evaluateCompliance(failed, [messaging()], options)).toMatchObject({
      status: 'unknown',
      reasons: [{ code: 'inventory_failed', detail: 'InstalledApplicationList: MDMErrorDomain 12021' }],
    });
    const noProfiles = iphone({ inventory: { ...iphone().inventory, profilesReportedAt: null } });
    expect(evaluateCompliance(noProfiles, [messaging()], options).status).toBe('unknown');
    expect(evaluateCompliance(iphone({ supervised: null }), [messaging()], options).status).toBe('unknown');
    // What the failed inventory did show still counts against the device.
    const failedWithBan = { ...failed, installedApps: [WHATSAPP] };
    expect(evaluateCompliance(failedWithBan, [messaging()], options).status).toBe('non_compliant');
  });

  it('warns, without a violation, when none of the approved apps is installed', () => {
    const verdict = evaluateCompliance(iphone({ installedApps: [] }), [messaging()], options);
    expect(verdict.status).toBe('compliant');
    expect(verdict.warnings).toEqual([
      { code: 'approved_app_missing', policy: 'messageries', apps: ['fr.gouv.tchap', OLVID.identifier] },
    ]);
  });

  it('in allowlist mode bans every installed app the policy does not allow', () => {
    const policy = messaging({ mode: 'allowlist', blocked: [], allowed: [OLVID.identifier] });
    const verdict = evaluateCompliance(iphone({ installedApps: [OLVID, WHATSAPP] }), [policy], options);
    expect(verdict.bannedApps).toEqual([WHATSAPP.identifier]);
  });

  it('judges an Android phone on its reported apps and the policy version it applied', () => {
    const android: DeviceFacts = {
      ...iphone(),
      platform: 'android',
      supervised: null,
      installedProfiles: [],
      inventory: { ...iphone().inventory, profilesReportedAt: null },
    };
    const policy = messaging({
      blocked: ['com.whatsapp'],
      allowed: ['io.olvid.messenger'],
      profile: null,
      applied: true,
    });
    expect(evaluateCompliance(android, [policy], options).status).toBe('compliant');
    expect(evaluateCompliance(android, [{ ...policy, applied: false }], options).reasons).toEqual([
      { code: 'policy_not_applied', policy: 'messageries', version: 2 },
    ]);
    expect(
      evaluateCompliance(android, [{ ...policy, applied: false, delivery: 'in_flight' }], options).status,
    ).toBe('pending');
    const withWhatsapp = { ...android, installedApps: [{ identifier: 'com.whatsapp', name: 'WhatsApp' }] };
    expect(evaluateCompliance(withWhatsapp, [policy], options).status).toBe('non_compliant');
  });

  it('is compliant when no policy applies to the device', () => {
    expect(evaluateCompliance(iphone({ installedApps: [WHATSAPP] }), [], options).status).toBe('compliant');
  });
});
