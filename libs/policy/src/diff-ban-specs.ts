import type { BanSpec } from '#libs/ban-spec';
import { sorted } from './resolve-ban-spec.js';

export interface IdentifierChanges {
  added: string[];
  removed: string[];
}

/** What changed from one policy version's BanSpec (`from`) to another's (`to`). */
export interface BanSpecDiff {
  from: { slug: string; version: number };
  to: { slug: string; version: number };
  /** Set when the enforcement mode changed. */
  mode: { from: BanSpec['mode']; to: BanSpec['mode'] } | null;
  /** Set when the legacy iOS keys setting changed. */
  includeLegacyIosKeys: { from: boolean; to: boolean } | null;
  ios: { blocked: IdentifierChanges; allowed: IdentifierChanges };
  android: { blocked: IdentifierChanges; allowed: IdentifierChanges; forceInstalled: IdentifierChanges };
  /** False when both specs enforce the same thing. */
  changed: boolean;
}

/**
 * Identifiers added and removed per platform going from `from` to `to`. For
 * `GET /v1/policies/{slug}/versions/{n}/diff?against={m}` call `diffBanSpecs(specOfM, specOfN)`.
 */
export function diffBanSpecs(from: BanSpec, to: BanSpec): BanSpecDiff {
  const ios = {
    blocked: changes(from.ios.blocked, to.ios.blocked),
    allowed: changes(from.ios.allowed, to.ios.allowed),
  };
  const android = {
    blocked: changes(from.android.blocked, to.android.blocked),
    allowed: changes(from.android.allowed, to.android.allowed),
    forceInstalled: changes(from.android.forceInstalled, to.android.forceInstalled),
  };
  const mode = from.mode === to.mode ? null : { from: from.mode, to: to.mode };
  const includeLegacyIosKeys =
    from.includeLegacyIosKeys === to.includeLegacyIosKeys
      ? null
      : { from: from.includeLegacyIosKeys, to: to.includeLegacyIosKeys };
  const changed =
    mode !== null ||
    includeLegacyIosKeys !== null ||
    [...Object.values(ios), ...Object.values(android)].some((c) => c.added.length + c.removed.length > 0);
  return {
    from: { slug: from.policy.slug, version: from.policy.version },
    to: { slug: to.policy.slug, version: to.policy.version },
    mode,
    includeLegacyIosKeys,
    ios,
    android,
    changed,
  };
}

function changes(before: readonly string[], after: readonly string[]): IdentifierChanges {
  const a = new Set(before);
  const b = new Set(after);
  return {
    added: sorted([...b].filter((id) => !a.has(id))),
    removed: sorted([...a].filter((id) => !b.has(id))),
  };
}
