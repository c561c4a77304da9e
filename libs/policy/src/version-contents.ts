import type { BanSpec } from '#libs/ban-spec';
import { appChecks, type AppCheck, type AppList, type Catalog } from '#libs/catalog';

/** A catalog app a version names, with the identifiers it carries on each platform. */
export interface VersionApp {
  slug: string;
  name: string;
  /** The version's lists that name it. */
  lists: string[];
  ios: Array<{ bundleId: string; verified: boolean }>;
  android: Array<{ packageName: string; verified: boolean }>;
}

export interface VersionSide {
  apps: VersionApp[];
  /** Identifiers a list names directly, outside the catalog apps above. */
  otherIdentifiers: { ios: string[]; android: string[] };
}

/** What a policy version contains, in words: the apps by name, and what an officer should check. */
export interface VersionContents {
  blocked: VersionSide;
  allowed: VersionSide;
  /** Unverified identifiers and apps without an identifier on a platform, one sentence each. */
  warnings: AppCheck[];
}

/**
 * Describes a version from the lists it was resolved from (their snapshot) and the identifiers its
 * BanSpec holds: apps are named from the catalog, identifiers are those the version really carries.
 */
export function describeVersionContents(
  catalog: Catalog,
  lists: readonly AppList[],
  spec: Pick<BanSpec, 'ios' | 'android'>,
): VersionContents {
  const side = (kind: AppList['kind']): VersionSide => {
    const ofKind = lists.filter((list) => list.kind === kind);
    const iosIds = new Set(kind === 'block' ? spec.ios.blocked : spec.ios.allowed);
    const androidIds = new Set(kind === 'block' ? spec.android.blocked : spec.android.allowed);
    const byApp = new Map<string, VersionApp>();
    for (const list of ofKind) {
      for (const slug of list.apps) {
        const known = byApp.get(slug);
        if (known) {
          if (!known.lists.includes(list.slug)) known.lists.push(list.slug);
          continue;
        }
        const app = catalog.app(slug);
        byApp.set(slug, {
          slug,
          name: app?.name ?? slug,
          lists: [list.slug],
          ios: (app?.ios ?? [])
            .filter((id) => iosIds.has(id.bundleId))
            .map((id) => ({ bundleId: id.bundleId, verified: id.verified })),
          android: (app?.android ?? [])
            .filter((id) => androidIds.has(id.packageName))
            .map((id) => ({ packageName: id.packageName, verified: id.verified })),
        });
      }
    }
    const apps = [...byApp.values()].sort((a, b) => a.name.localeCompare(b.name, 'fr'));
    const named = {
      ios: new Set(apps.flatMap((app) => app.ios.map((id) => id.bundleId))),
      android: new Set(apps.flatMap((app) => app.android.map((id) => id.packageName))),
    };
    return {
      apps,
      otherIdentifiers: {
        ios: [...iosIds].filter((id) => !named.ios.has(id)),
        android: [...androidIds].filter((id) => !named.android.has(id)),
      },
    };
  };
  const blocked = side('block');
  const allowed = side('allow');
  const warnings = [...blocked.apps, ...allowed.apps].flatMap((named) => {
    const app = catalog.app(named.slug);
    return app ? appChecks(app) : [];
  });
  return { blocked, allowed, warnings };
}

/** One line for phone users, under the profile's description: the apps the profile blocks on iPhones. */
export function blockedAppsLine(catalog: Catalog, lists: readonly AppList[], spec: BanSpec): string {
  const contents = describeVersionContents(catalog, lists, spec);
  const blocking = spec.mode === 'blocklist';
  const names = (blocking ? contents.blocked : contents.allowed).apps
    .filter((app) => app.ios.length > 0)
    .map((app) => app.name);
  const others = (blocking ? contents.blocked : contents.allowed).otherIdentifiers.ios.length;
  if (others > 0) names.push(`${others} autre${others > 1 ? 's' : ''} / other${others > 1 ? 's' : ''}`);
  if (names.length === 0) return '';
  return blocking
    ? `Applications bloquées / Blocked apps: ${names.join(', ')}.`
    : `Seules applications autorisées (et celles du système) / Only allowed apps (and the system's): ${names.join(', ')}.`;
}

/** What an officer should know about a policy as it stands (shown with it, not an error). */
export function policyWarnings(policy: { effectiveAt: Date | null }, now = new Date()): string[] {
  const warnings: string[] = [];
  if (policy.effectiveAt && policy.effectiveAt < now) {
    warnings.push(
      `effectiveAt ${policy.effectiveAt.toISOString()} is in the past: the next version takes effect as soon as it is published`,
    );
  }
  return warnings;
}
