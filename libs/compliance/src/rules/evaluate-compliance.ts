import type { ApplicablePolicy, DeviceFacts, Reason, Verdict, Warning } from './compliance-facts.js';

export interface EvaluationOptions {
  now: Date;
  /** A device not seen for longer than this is stale. */
  freshnessSeconds: number;
}

/**
 * The compliance rules, first match wins:
 *
 * 1. not enrolled, or no app inventory yet: unknown;
 * 2. not seen within the freshness window: stale (what it last reported can no longer be vouched for);
 * 3. a banned app installed: non_compliant, whatever else holds (also on an unsupervised iPhone);
 * 4. an inventory that failed since, or is incomplete (no profile list, supervision unknown): unknown,
 *    so that a failed or partial inventory never makes a device compliant;
 * 5. a rollout to the device in flight: pending;
 * 6. the policy's profile missing or of an older version, or the Android policy not applied:
 *    non_compliant;
 * 7. an unsupervised iPhone under a policy that blocks apps: unenforceable (Apple ignores
 *    blockedAppBundleIDs there);
 * 8. otherwise compliant.
 *
 * A policy whose approved apps (Olvid, Tchap...) are all missing gives a warning, never a violation.
 * The set-based evaluation in SQL (compliance-sql.ts) implements the same rules; a test keeps them equal.
 */
export function evaluateCompliance(
  device: DeviceFacts,
  policies: readonly ApplicablePolicy[],
  options: EvaluationOptions,
): Verdict {
  const verdict = (status: Verdict['status'], reasons: Reason[], bannedApps: string[] = []): Verdict => ({
    status,
    reasons,
    warnings: approvedAppWarnings(device, policies),
    bannedApps,
  });
  if (!device.enrolled) return verdict('unknown', [{ code: 'not_enrolled' }]);
  if (device.inventory.appsReportedAt === null) return verdict('unknown', [{ code: 'no_inventory' }]);
  const cutoff = options.now.getTime() - options.freshnessSeconds * 1000;
  if (device.lastSeenAt === null || device.lastSeenAt.getTime() < cutoff) {
    return verdict('stale', [{ code: 'not_seen', detail: device.lastSeenAt?.toISOString() ?? 'never' }]);
  }

  const banned = bannedAppReasons(device, policies);
  const setup = setupReasons(device, policies);
  if (banned.length > 0) {
    const apps = [...new Set(banned.map((r) => r.app!))].sort();
    return verdict('non_compliant', [...banned, ...setup], apps);
  }
  const incomplete = inventoryProblems(device);
  if (incomplete.length > 0) return verdict('unknown', incomplete);
  const inFlight = [...policies]
    .sort((a, b) => compare(a.slug, b.slug))
    .filter((p) => p.delivery === 'in_flight')
    .map((p): Reason => ({ code: 'rollout_in_flight', policy: p.slug, version: p.version }));
  if (inFlight.length > 0) return verdict('pending', inFlight);
  if (setup.length > 0) return verdict('non_compliant', setup);
  if (device.platform === 'ios' && device.supervised === false && policies.some(blocksApps)) {
    return verdict('unenforceable', [{ code: 'unsupervised' }]);
  }
  return verdict('compliant', []);
}

function blocksApps(policy: ApplicablePolicy): boolean {
  return policy.mode === 'allowlist' || policy.blocked.length > 0;
}

/** One reason per (app, policy) that bans it, sorted by app then policy. */
function bannedAppReasons(device: DeviceFacts, policies: readonly ApplicablePolicy[]): Reason[] {
  const reasons: Reason[] = [];
  for (const app of device.installedApps) {
    for (const policy of policies) {
      const banned =
        policy.mode === 'allowlist'
          ? !policy.allowed.includes(app.identifier)
          : policy.blocked.includes(app.identifier);
      if (banned) {
        reasons.push({
          code: 'banned_app',
          app: app.identifier,
          name: app.name,
          policy: policy.slug,
          version: policy.version,
        });
      }
    }
  }
  return reasons.sort(
    (a, b) => compare(a.app!, b.app!) || compare(a.policy!, b.policy!) || a.version! - b.version!,
  );
}

/** The policy is not (or not at its version) in place on the device, and no rollout is bringing it. */
function setupReasons(device: DeviceFacts, policies: readonly ApplicablePolicy[]): Reason[] {
  const reasons: Reason[] = [];
  for (const policy of [...policies].sort((a, b) => compare(a.slug, b.slug))) {
    if (policy.delivery === 'in_flight') continue;
    const at = { policy: policy.slug, version: policy.version };
    if (device.platform === 'ios' && policy.profile) {
      const installed = device.installedProfiles.find((p) => p.identifier === policy.profile!.identifier);
      if (!installed) reasons.push({ code: 'profile_missing', ...at });
      else if ((installed.uuid ?? '').toUpperCase() !== policy.profile.uuid.toUpperCase())
        reasons.push({ code: 'profile_outdated', ...at });
    }
    if (device.platform === 'android' && policy.applied === false) {
      reasons.push({ code: 'policy_not_applied', ...at });
    }
  }
  return reasons;
}

function inventoryProblems(device: DeviceFacts): Reason[] {
  const { inventory } = device;
  if (inventory.failedAt !== null) {
    return [{ code: 'inventory_failed', detail: inventory.error ?? 'an inventory command failed' }];
  }
  if (device.platform === 'ios') {
    if (inventory.profilesReportedAt === null)
      return [{ code: 'inventory_partial', detail: 'no profile list yet' }];
    if (device.supervised === null)
      return [{ code: 'inventory_partial', detail: 'supervision not reported yet' }];
  }
  return [];
}

function approvedAppWarnings(device: DeviceFacts, policies: readonly ApplicablePolicy[]): Warning[] {
  if (!device.enrolled || device.inventory.appsReportedAt === null) return [];
  const installed = new Set(device.installedApps.map((a) => a.identifier));
  return [...policies]
    .filter((p) => p.mode === 'blocklist' && p.allowed.length > 0)
    .filter((p) => !p.allowed.some((id) => installed.has(id)))
    .sort((a, b) => compare(a.slug, b.slug))
    .map((p) => ({ code: 'approved_app_missing', policy: p.slug, apps: [...p.allowed].sort() }));
}

/** Byte order, as PostgreSQL's COLLATE "C" sorts, so that both evaluations list reasons alike. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
