import { beforeAll, describe, expect, it } from '@jest/globals';
import { createCatalog, loadShippedProfiles, type AppList, type ShippedProfiles } from '#libs/catalog';
import { PolicyConflictError, PolicyError } from './policy-error.js';
import { resolveBanSpec, type PolicyDefinition } from './resolve-ban-spec.js';

const policy: PolicyDefinition = {
  tenantSlug: 'gouv',
  slug: 'messaging-ban',
  name: 'Messaging ban',
  version: 1,
  organization: 'Gouvernement',
  description: 'Consumer messengers are blocked',
  mode: 'blocklist',
  includeLegacyIosKeys: false,
};

let shipped: ShippedProfiles;

beforeAll(async () => {
  shipped = await loadShippedProfiles();
});

function list(slug: string): AppList {
  return shipped.lists.find((l) => l.slug === slug)!;
}

function rawList(slug: string, kind: AppList['kind'], fields: Partial<AppList>): AppList {
  return { slug, name: slug, kind, apps: [], bundleIds: [], packageNames: [], ...fields };
}

function thrown(fn: () => unknown): PolicyError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PolicyError);
    return e as PolicyError;
  }
  throw new Error('expected a PolicyError');
}

describe('resolveBanSpec', () => {
  it('resolves the French messaging ban: consumer messengers blocked, Olvid and Tchap allowed', () => {
    const spec = resolveBanSpec({
      catalog: shipped.catalog,
      policy: { ...policy, forceInstall: ['olvid', 'tchap'] },
      blockLists: [list('fr-gov-2023-messaging')],
      allowLists: [list('fr-gov-2023-messaging-approved')],
    });
    expect(spec.policy).toEqual({
      tenantSlug: 'gouv',
      slug: 'messaging-ban',
      name: 'Messaging ban',
      version: 1,
      organization: 'Gouvernement',
      description: 'Consumer messengers are blocked',
    });
    expect(spec.mode).toBe('blocklist');
    expect(spec.ios.blocked).toEqual(
      expect.arrayContaining(['net.whatsapp.WhatsApp', 'ph.telegra.Telegraph', 'org.whispersystems.signal']),
    );
    expect(spec.android.blocked).toEqual(
      expect.arrayContaining([
        'com.whatsapp',
        'com.whatsapp.w4b',
        'org.telegram.messenger',
        'org.thunderdog.challegram',
        'org.thoughtcrime.securesms',
      ]),
    );
    expect(spec.ios.allowed).toEqual(['fr.gouv.tchap', 'io.olvid.messenger']);
    expect(spec.android.allowed).toEqual([
      'fr.gouv.tchap.a',
      'io.olvid.messenger',
      'io.olvid.messenger.nogoogle',
    ]);
    // Only the main Play package is force-installed: the nogoogle flavor is not on Google Play.
    expect(spec.android.forceInstalled).toEqual(['fr.gouv.tchap.a', 'io.olvid.messenger']);
    expect(spec.ios.blocked).not.toContain('io.olvid.messenger');
  });

  it('returns sorted, unique identifiers from apps and raw ids, iOS case preserved', () => {
    const catalog = createCatalog([
      {
        slug: 'b-app',
        name: 'B',
        category: 'social',
        ios: [{ bundleId: 'com.b.App', verified: true, sources: ['x', 'y'] }],
        android: [{ packageName: 'com.b', verified: true, sources: ['x', 'y'] }],
      },
      {
        slug: 'a-app',
        name: 'A',
        category: 'social',
        ios: [{ bundleId: 'com.a.App', verified: false, sources: ['x'] }],
        android: [],
      },
    ]);
    const spec = resolveBanSpec({
      catalog,
      policy,
      blockLists: [
        rawList('one', 'block', { apps: ['b-app', 'a-app'], bundleIds: ['com.b.App', 'com.Z.z'] }),
        rawList('two', 'block', { apps: ['b-app'], packageNames: ['com.b', 'com.a'] }),
      ],
      allowLists: [],
    });
    expect(spec.ios).toEqual({ blocked: ['com.Z.z', 'com.a.App', 'com.b.App'], allowed: [] });
    expect(spec.android).toEqual({ blocked: ['com.a', 'com.b'], allowed: [], forceInstalled: [] });
  });

  it('resolver conflict error: an app both blocked and allowed', () => {
    const error = thrown(() =>
      resolveBanSpec({
        catalog: shipped.catalog,
        policy,
        blockLists: [list('fr-gov-2023-messaging')],
        allowLists: [list('ch-army-threema-approved')],
      }),
    ) as PolicyConflictError;
    expect(error).toBeInstanceOf(PolicyConflictError);
    expect(error.code).toBe('APP_BOTH_BLOCKED_AND_ALLOWED');
    expect(error.conflicts).toEqual([
      {
        type: 'app',
        value: 'threema',
        blockedBy: ['fr-gov-2023-messaging'],
        allowedBy: ['ch-army-threema-approved'],
      },
    ]);
    expect(error.message).toBe(
      "policy conflict: app 'threema' is blocked by list 'fr-gov-2023-messaging' and allowed by list 'ch-army-threema-approved'",
    );
  });

  it('resolver conflict error: the same identifier blocked raw and allowed through an app', () => {
    const error = thrown(() =>
      resolveBanSpec({
        catalog: shipped.catalog,
        policy,
        blockLists: [
          rawList('raw-block', 'block', {
            bundleIds: ['io.olvid.messenger'],
            packageNames: ['fr.gouv.tchap.a'],
          }),
        ],
        allowLists: [list('fr-gov-2023-messaging-approved')],
      }),
    ) as PolicyConflictError;
    expect(error.code).toBe('APP_BOTH_BLOCKED_AND_ALLOWED');
    expect(error.conflicts.map((c) => [c.type, c.value])).toEqual([
      ['ios', 'io.olvid.messenger'],
      ['android', 'fr.gouv.tchap.a'],
    ]);
    expect(error.message).toContain("iOS bundle ID 'io.olvid.messenger' is blocked by list 'raw-block'");
  });

  it('the Swiss army pair resolves without conflict and never blocks Threema', () => {
    const spec = resolveBanSpec({
      catalog: shipped.catalog,
      policy: { ...policy, mode: 'allowlist' },
      blockLists: [list('ch-army-threema')],
      allowLists: [list('ch-army-threema-approved')],
    });
    expect(spec.ios.allowed).toEqual(['ch.threema.iapp', 'ch.threema.work.iapp']);
    expect(spec.android.allowed).toEqual(['ch.threema.app', 'ch.threema.app.work']);
    expect(spec.ios.blocked.filter((id) => id.startsWith('ch.threema'))).toEqual([]);
  });

  it('rejects force-installing a blocked app', () => {
    const error = thrown(() =>
      resolveBanSpec({
        catalog: shipped.catalog,
        policy: { ...policy, forceInstall: ['whatsapp'] },
        blockLists: [list('fr-gov-2023-messaging')],
        allowLists: [],
      }),
    );
    expect(error.code).toBe('APP_BOTH_BLOCKED_AND_FORCE_INSTALLED');
    expect(error.message).toContain(
      "app 'whatsapp' is blocked by list 'fr-gov-2023-messaging' and force-installed by forceInstall",
    );
  });

  it('rejects unknown apps, misfiled lists, bad identifiers and empty results', () => {
    const base = { catalog: shipped.catalog, policy, allowLists: [] };
    expect(
      thrown(() => resolveBanSpec({ ...base, blockLists: [rawList('x', 'block', { apps: ['nope'] })] })).code,
    ).toBe('UNKNOWN_APP');
    expect(
      thrown(() => resolveBanSpec({ ...base, blockLists: [list('fr-gov-2023-messaging-approved')] })).code,
    ).toBe('LIST_KIND_MISMATCH');
    expect(
      thrown(() => resolveBanSpec({ ...base, blockLists: [rawList('x', 'block', { bundleIds: ['bad'] })] }))
        .code,
    ).toBe('INVALID_IDENTIFIER');
    expect(
      thrown(() => resolveBanSpec({ ...base, blockLists: [rawList('x', 'block', { apps: ['fruitz'] })] }))
        .code,
    ).toBe('POLICY_RESOLVES_TO_NOTHING');
    expect(
      thrown(() =>
        resolveBanSpec({
          ...base,
          policy: { ...policy, forceInstall: ['meetic'] },
          blockLists: [list('fr-gov-2023-messaging')],
        }),
      ).code,
    ).toBe('FORCE_INSTALL_WITHOUT_ANDROID_PACKAGE');
    expect(
      thrown(() =>
        resolveBanSpec({
          ...base,
          policy: { ...policy, version: 0 },
          blockLists: [list('fr-gov-2023-messaging')],
        }),
      ).code,
    ).toBe('INVALID_POLICY');
  });
});
