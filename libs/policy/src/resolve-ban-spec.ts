import { isValidBundleId, isValidPackageName, type AppList, type Catalog } from '#libs/catalog';
import type { BanSpec } from '#libs/ban-spec';
import { PolicyConflictError, PolicyError, type PolicyConflict } from './policy-error.js';

/** The policy version being resolved (what BanSpec.policy holds, plus how to enforce it). */
export interface PolicyDefinition {
  tenantSlug: string;
  slug: string;
  name: string;
  version: number;
  organization: string;
  description: string;
  mode: BanSpec['mode'];
  includeLegacyIosKeys: boolean;
  /** Catalog slugs whose main Android package (the app's first one) is force-installed. */
  forceInstall?: readonly string[];
}

export interface ResolveBanSpecInput {
  catalog: Catalog;
  policy: PolicyDefinition;
  /** Lists of kind `block`. */
  blockLists: readonly AppList[];
  /** Lists of kind `allow`. */
  allowLists: readonly AppList[];
}

/** identifier -> slugs of the lists that name it (directly or through a catalog app). */
type Origins = Map<string, Set<string>>;

interface Collected {
  apps: Origins;
  ios: Origins;
  android: Origins;
}

/**
 * Resolves a policy version to its BanSpec: the iOS bundle IDs and Android package names of the listed
 * catalog apps (every identifier of each app, verified or not) plus the lists' raw identifiers, sorted
 * and unique. Throws PolicyConflictError (APP_BOTH_BLOCKED_AND_ALLOWED) when an app or identifier is both
 * in a block list and an allow list, and PolicyError for unknown apps, misfiled lists, bad identifiers,
 * or a policy that resolves to nothing to enforce.
 */
export function resolveBanSpec(input: ResolveBanSpecInput): BanSpec {
  const { catalog, policy } = input;
  validatePolicy(policy);
  const blocked = collect(catalog, input.blockLists, 'block');
  const allowed = collect(catalog, input.allowLists, 'allow');

  const conflicts = findConflicts(catalog, blocked, allowed);
  if (conflicts.length > 0) throw new PolicyConflictError('APP_BOTH_BLOCKED_AND_ALLOWED', conflicts);

  const forceInstalled = resolveForceInstall(catalog, policy.forceInstall ?? [], blocked);

  const spec: BanSpec = {
    policy: {
      tenantSlug: policy.tenantSlug,
      slug: policy.slug,
      name: policy.name,
      version: policy.version,
      organization: policy.organization,
      description: policy.description,
    },
    mode: policy.mode,
    includeLegacyIosKeys: policy.includeLegacyIosKeys,
    ios: { blocked: sorted(blocked.ios.keys()), allowed: sorted(allowed.ios.keys()) },
    android: {
      blocked: sorted(blocked.android.keys()),
      allowed: sorted(allowed.android.keys()),
      forceInstalled: sorted(forceInstalled),
    },
  };

  const side = policy.mode === 'blocklist' ? 'blocked' : 'allowed';
  if (spec.ios[side].length === 0 && spec.android[side].length === 0) {
    const lists = policy.mode === 'blocklist' ? 'block lists' : 'allow lists';
    throw new PolicyError(
      'POLICY_RESOLVES_TO_NOTHING',
      `policy '${policy.slug}' is in ${policy.mode} mode but its ${lists} name no iOS or Android identifier`,
    );
  }
  return spec;
}

function validatePolicy(policy: PolicyDefinition): void {
  for (const key of ['tenantSlug', 'slug', 'name', 'organization'] as const) {
    if (typeof policy[key] !== 'string' || policy[key].trim() === '') {
      throw new PolicyError('INVALID_POLICY', `policy.${key} must be a non-empty string`);
    }
  }
  if (typeof policy.description !== 'string') {
    throw new PolicyError('INVALID_POLICY', 'policy.description must be a string');
  }
  if (!Number.isSafeInteger(policy.version) || policy.version < 1) {
    throw new PolicyError(
      'INVALID_POLICY',
      `policy.version must be a positive integer, got ${policy.version}`,
    );
  }
  if (policy.mode !== 'blocklist' && policy.mode !== 'allowlist') {
    throw new PolicyError(
      'INVALID_POLICY',
      `policy.mode must be 'blocklist' or 'allowlist', got '${policy.mode}'`,
    );
  }
}

function collect(catalog: Catalog, lists: readonly AppList[], kind: AppList['kind']): Collected {
  const result: Collected = { apps: new Map(), ios: new Map(), android: new Map() };
  for (const list of lists) {
    if (list.kind !== kind) {
      throw new PolicyError(
        'LIST_KIND_MISMATCH',
        `list '${list.slug}' is a ${list.kind} list but was given as a ${kind} list`,
      );
    }
    for (const slug of list.apps) {
      const app = catalog.app(slug);
      if (!app) {
        throw new PolicyError(
          'UNKNOWN_APP',
          `list '${list.slug}' names app '${slug}', which is not in the catalog`,
        );
      }
      add(result.apps, slug, list.slug);
      for (const ios of app.ios) add(result.ios, ios.bundleId, list.slug);
      for (const android of app.android) add(result.android, android.packageName, list.slug);
    }
    for (const bundleId of list.bundleIds) {
      if (!isValidBundleId(bundleId)) {
        throw new PolicyError(
          'INVALID_IDENTIFIER',
          `list '${list.slug}' has an invalid iOS bundle ID '${bundleId}'`,
        );
      }
      add(result.ios, bundleId, list.slug);
    }
    for (const packageName of list.packageNames) {
      if (!isValidPackageName(packageName)) {
        throw new PolicyError(
          'INVALID_IDENTIFIER',
          `list '${list.slug}' has an invalid Android package name '${packageName}'`,
        );
      }
      add(result.android, packageName, list.slug);
    }
  }
  return result;
}

function findConflicts(catalog: Catalog, blocked: Collected, allowed: Collected): PolicyConflict[] {
  const conflicts: PolicyConflict[] = [];
  const conflictingApps = new Set<string>();
  for (const slug of sorted(blocked.apps.keys())) {
    const allowedBy = allowed.apps.get(slug);
    if (allowedBy) {
      conflictingApps.add(slug);
      conflicts.push({
        type: 'app',
        value: slug,
        blockedBy: sorted(blocked.apps.get(slug)!),
        allowedBy: sorted(allowedBy),
      });
    }
  }
  // Identifier conflicts that an app conflict above already explains are not repeated.
  const platforms = [
    ['ios', (id: string) => catalog.appForBundleId(id)?.slug],
    ['android', (id: string) => catalog.appForPackageName(id)?.slug],
  ] as const;
  for (const [platform, owner] of platforms) {
    for (const id of sorted(blocked[platform].keys())) {
      const allowedBy = allowed[platform].get(id);
      if (!allowedBy) continue;
      const app = owner(id);
      if (app !== undefined && conflictingApps.has(app)) continue;
      conflicts.push({
        type: platform,
        value: id,
        blockedBy: sorted(blocked[platform].get(id)!),
        allowedBy: sorted(allowedBy),
      });
    }
  }
  return conflicts;
}

function resolveForceInstall(catalog: Catalog, slugs: readonly string[], blocked: Collected): string[] {
  const packages: string[] = [];
  const conflicts: PolicyConflict[] = [];
  for (const slug of slugs) {
    const app = catalog.app(slug);
    if (!app) {
      throw new PolicyError('UNKNOWN_APP', `forceInstall names app '${slug}', which is not in the catalog`);
    }
    const main = app.android[0];
    if (!main) {
      throw new PolicyError(
        'FORCE_INSTALL_WITHOUT_ANDROID_PACKAGE',
        `forceInstall names app '${slug}', which has no Android package in the catalog`,
      );
    }
    const blockedBy = blocked.apps.get(slug) ?? blocked.android.get(main.packageName);
    if (blockedBy) {
      conflicts.push({ type: 'app', value: slug, blockedBy: sorted(blockedBy), allowedBy: ['forceInstall'] });
    }
    packages.push(main.packageName);
  }
  if (conflicts.length > 0) throw new PolicyConflictError('APP_BOTH_BLOCKED_AND_FORCE_INSTALLED', conflicts);
  return packages;
}

function add(origins: Origins, key: string, origin: string): void {
  const set = origins.get(key);
  if (set) set.add(origin);
  else origins.set(key, new Set([origin]));
}

/** Sorted by UTF-16 code units (locale-independent), duplicates removed. */
export function sorted(values: Iterable<string>): string[] {
  return [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
