import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import type { BanSpec } from '#libs/ban-spec';
import { decodePlist } from '../plist/plist-codec.js';
import { uuidV5 } from './deterministic-uuid.js';
import { IOS_ALLOWLIST_SYSTEM_BUNDLE_IDS } from './ios-system-apps.js';
import {
  buildRestrictionsProfile,
  compileRestrictionsProfile,
  restrictionsProfileIdentifier,
  RestrictionsProfileError,
  type RestrictionsPayload,
} from './restrictions-profile.js';
import { requireTool } from '../../../../test/support/tools.js';

function banSpec(overrides: Omit<Partial<BanSpec>, 'ios'> & { ios?: Partial<BanSpec['ios']> } = {}): BanSpec {
  const { ios, ...rest } = overrides;
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
    android: { blocked: [], allowed: [], forceInstalled: [] },
    ...rest,
    ios: { blocked: [], allowed: [], ...ios },
  };
}

// The French government's consumer-messaging ban: WhatsApp, Telegram and Signal out; Olvid and Tchap in.
const frenchMessagingBan = banSpec({
  ios: {
    blocked: ['ph.telegra.Telegraph', 'net.whatsapp.WhatsApp', 'org.whispersystems.signal'],
    allowed: ['io.olvid.messenger', 'fr.gouv.tchap'],
  },
});

function restrictionsOf(spec: BanSpec): RestrictionsPayload & Record<string, unknown> {
  return buildRestrictionsProfile(spec).PayloadContent[0] as RestrictionsPayload & Record<string, unknown>;
}

const tmp = mkdtempSync(path.join(tmpdir(), 'rempart-profile-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('buildRestrictionsProfile', () => {
  it('French messaging ban: blocks WhatsApp, Telegram and Signal, and not Olvid or Tchap', () => {
    const profile = buildRestrictionsProfile(frenchMessagingBan);
    expect(profile).toMatchObject({
      PayloadType: 'Configuration',
      PayloadVersion: 1,
      PayloadIdentifier: 'fr.rempart.dinum.policy.messageries',
      PayloadDisplayName: 'Applications interdites — Messageries grand public',
      PayloadOrganization: 'DINUM',
      PayloadDescription: 'Interdit les messageries grand public sur les téléphones de l’État.',
    });
    expect(profile.PayloadContent).toHaveLength(1);
    const restrictions = profile.PayloadContent[0] as Record<string, unknown>;
    expect(restrictions).toMatchObject({
      PayloadType: 'com.apple.applicationaccess',
      PayloadVersion: 1,
      PayloadIdentifier: 'fr.rempart.dinum.policy.messageries.restrictions',
    });
    // Sorted, so that the bytes never depend on list order.
    expect(restrictions.blockedAppBundleIDs).toEqual([
      'net.whatsapp.WhatsApp',
      'org.whispersystems.signal',
      'ph.telegra.Telegraph',
    ]);
    const everything = JSON.stringify(profile);
    expect(everything).not.toContain('io.olvid.messenger');
    expect(everything).not.toContain('fr.gouv.tchap');
    expect(restrictions).not.toHaveProperty('allowListedAppBundleIDs');
    expect(profile).not.toHaveProperty('PayloadRemovalDisallowed');
  });

  it('one policy version always compiles to the same bytes, whatever the list order', () => {
    const first = compileRestrictionsProfile(frenchMessagingBan);
    const shuffled = banSpec({
      ios: {
        blocked: [
          'org.whispersystems.signal',
          'net.whatsapp.WhatsApp',
          'ph.telegra.Telegraph',
          'net.whatsapp.WhatsApp',
        ],
        allowed: ['fr.gouv.tchap', 'io.olvid.messenger'],
      },
    });
    expect(compileRestrictionsProfile(frenchMessagingBan).equals(first)).toBe(true);
    expect(compileRestrictionsProfile(shuffled).equals(first)).toBe(true);
  });

  it('keeps the PayloadIdentifier across versions and derives new UUIDs for each version', () => {
    const v3 = buildRestrictionsProfile(frenchMessagingBan);
    const v4 = buildRestrictionsProfile({
      ...frenchMessagingBan,
      policy: { ...frenchMessagingBan.policy, version: 4 },
    });
    const otherTenant = buildRestrictionsProfile({
      ...frenchMessagingBan,
      policy: { ...frenchMessagingBan.policy, tenantSlug: 'armees' },
    });
    expect(v4.PayloadIdentifier).toBe(v3.PayloadIdentifier);
    expect(v4.PayloadContent[0].PayloadIdentifier).toBe(v3.PayloadContent[0].PayloadIdentifier);
    expect(v4.PayloadUUID).not.toBe(v3.PayloadUUID);
    expect(v4.PayloadContent[0].PayloadUUID).not.toBe(v3.PayloadContent[0].PayloadUUID);
    expect(otherTenant.PayloadUUID).not.toBe(v3.PayloadUUID);
    expect(new Set([v3.PayloadUUID, v3.PayloadContent[0].PayloadUUID]).size).toBe(2);
    // Pinned: a change here (namespace, name scheme) would make phones see every old version as new.
    expect(v3.PayloadUUID).toBe('F3BDB455-F896-5A04-9FC9-6A5AAE51ED57');
    expect(v3.PayloadContent[0].PayloadUUID).toBe('A61412B2-290B-5E59-972C-DD3452709E5A');
    for (const uuid of [v3.PayloadUUID, v3.PayloadContent[0].PayloadUUID]) {
      expect(uuid).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-5[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/);
    }
  });

  it('emits the deprecated pre-iOS 15 keys only when the spec opts in', () => {
    expect(restrictionsOf(frenchMessagingBan)).not.toHaveProperty('blacklistedAppBundleIDs');
    const legacy = restrictionsOf({ ...frenchMessagingBan, includeLegacyIosKeys: true });
    expect(legacy.blacklistedAppBundleIDs).toEqual(legacy.blockedAppBundleIDs);
    const allowlist = banSpec({ mode: 'allowlist', ios: { allowed: ['fr.gouv.tchap'] } });
    expect(restrictionsOf(allowlist)).not.toHaveProperty('whitelistedAppBundleIDs');
    const legacyAllow = restrictionsOf({ ...allowlist, includeLegacyIosKeys: true });
    expect(legacyAllow.whitelistedAppBundleIDs).toEqual(legacyAllow.allowListedAppBundleIDs);
  });

  it('allowlist mode: allows the listed apps plus the system apps a phone needs, and blocks nothing by name', () => {
    const spec = banSpec({ mode: 'allowlist', ios: { allowed: ['io.olvid.messenger', 'fr.gouv.tchap'] } });
    const profile = buildRestrictionsProfile(spec);
    const restrictions = profile.PayloadContent[0] as Record<string, unknown>;
    const allowed = restrictions.allowListedAppBundleIDs as string[];
    expect(allowed).toEqual(expect.arrayContaining(['io.olvid.messenger', 'fr.gouv.tchap']));
    for (const systemApp of [
      'com.apple.Preferences',
      'com.apple.mobilephone',
      'com.apple.MobileSMS',
      'com.apple.mobilesafari',
    ]) {
      expect(allowed).toContain(systemApp);
    }
    expect(allowed).toHaveLength(2 + IOS_ALLOWLIST_SYSTEM_BUNDLE_IDS.length);
    expect(allowed).toEqual([...allowed].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(restrictions).not.toHaveProperty('blockedAppBundleIDs');
    expect(profile.PayloadDisplayName).toBe('Applications autorisées — Messageries grand public');
  });

  it('allowlist mode: a system app the policy blocks explicitly is not allowed', () => {
    const spec = banSpec({
      mode: 'allowlist',
      ios: { allowed: ['fr.gouv.tchap'], blocked: ['com.apple.mobilesafari'] },
    });
    expect(restrictionsOf(spec).allowListedAppBundleIDs).not.toContain('com.apple.mobilesafari');
  });

  it('sets PayloadRemovalDisallowed only when asked (for hand-installed profiles)', () => {
    expect(
      buildRestrictionsProfile(frenchMessagingBan, { removalDisallowed: true }).PayloadRemovalDisallowed,
    ).toBe(true);
  });

  it('falls back to a bilingual description when the policy has none', () => {
    const profile = buildRestrictionsProfile({
      ...frenchMessagingBan,
      policy: { ...frenchMessagingBan.policy, description: ' ' },
    });
    expect(profile.PayloadDescription).toMatch(/Votre organisation interdit .* \/ Your organisation blocks/);
  });

  it('refuses specs iOS would reject or that contradict themselves', () => {
    const cases: [BanSpec, RegExp][] = [
      [banSpec({ ios: { blocked: ['not a bundle id'] } }), /invalid iOS bundle ID: "not a bundle id"/],
      [banSpec({ ios: { blocked: ['WhatsApp'] } }), /invalid iOS bundle ID/],
      [
        banSpec({ ios: { blocked: ['fr.gouv.tchap'], allowed: ['fr.gouv.tchap'] } }),
        /fr\.gouv\.tchap as both blocked and allowed/,
      ],
      [
        { ...frenchMessagingBan, policy: { ...frenchMessagingBan.policy, slug: 'a.b' } },
        /spec\.policy\.slug/,
      ],
      [
        { ...frenchMessagingBan, policy: { ...frenchMessagingBan.policy, version: 0 } },
        /version must be a positive integer/,
      ],
      [
        { ...frenchMessagingBan, policy: { ...frenchMessagingBan.policy, name: '' } },
        /name must not be empty/,
      ],
      [
        { ...frenchMessagingBan, mode: 'everything' as BanSpec['mode'] },
        /mode must be blocklist or allowlist/,
      ],
    ];
    for (const [spec, message] of cases) {
      expect(() => buildRestrictionsProfile(spec)).toThrow(RestrictionsProfileError);
      expect(() => buildRestrictionsProfile(spec)).toThrow(message);
    }
    expect(() => restrictionsProfileIdentifier('dinum', 'x', 'not dns!')).toThrow(/identifierPrefix/);
  });

  it('keeps bundle IDs case-sensitive (com.atebits.Tweetie2 is not com.atebits.tweetie2)', () => {
    const spec = banSpec({ ios: { blocked: ['com.atebits.Tweetie2', 'com.atebits.tweetie2'] } });
    expect(restrictionsOf(spec).blockedAppBundleIDs).toEqual([
      'com.atebits.Tweetie2',
      'com.atebits.tweetie2',
    ]);
  });
});

describe('compileRestrictionsProfile output', () => {
  it('is an XML plist that the plist codec and libplist (plistutil) both read back identically', () => {
    const bytes = compileRestrictionsProfile(frenchMessagingBan);
    expect(bytes.subarray(0, 38).toString()).toBe('<?xml version="1.0" encoding="UTF-8"?>');
    expect(decodePlist(bytes)).toEqual(buildRestrictionsProfile(frenchMessagingBan));

    const xml = path.join(tmp, 'ban.mobileconfig');
    const binary = path.join(tmp, 'ban.bplist');
    const back = path.join(tmp, 'ban.back.plist');
    writeFileSync(xml, bytes);
    requireTool('plistutil');
    execFileSync('plistutil', ['-i', xml, '-o', binary, '-f', 'bin']);
    expect(readFileSync(binary).subarray(0, 8).toString('latin1')).toBe('bplist00');
    execFileSync('plistutil', ['-i', binary, '-o', back, '-f', 'xml']);
    expect(decodePlist(readFileSync(back))).toEqual(buildRestrictionsProfile(frenchMessagingBan));
  });
});

describe('uuidV5', () => {
  it('matches the RFC 9562 name-based UUID (DNS namespace, www.example.com)', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '2ED6657D-E927-568B-95E1-2665A8AEA6A2',
    );
  });
});
