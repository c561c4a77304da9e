import type { AndroidInstallType, AndroidPolicy } from './policy-compiler.js';

/*
 * A phone has one AMAPI policy, and Rempart gives each device group one. Several Rempart policies
 * may target the same group, so the group's AMAPI policy is the merge of their compiled versions.
 */

const RANK: Record<AndroidInstallType, number> = { AVAILABLE: 0, FORCE_INSTALLED: 1, BLOCKED: 2 };

/** The fields Rempart owns in a group policy: every patch names exactly these in its updateMask. */
export const GROUP_POLICY_UPDATE_MASK = [
  'applications',
  'playStoreMode',
  'statusReportingSettings',
  'advancedSecurityOverrides',
] as const;

/** What a group no policy targets gets: reporting on, sideloading off, no app listed. */
export function baselineAndroidPolicy(): AndroidPolicy {
  return {
    applications: [],
    playStoreMode: 'BLACKLIST',
    statusReportingSettings: {
      applicationReportsEnabled: true,
      applicationReportingSettings: { includeRemovedApps: true },
      softwareInfoEnabled: true,
      deviceSettingsEnabled: true,
    },
    advancedSecurityOverrides: {
      untrustedAppsPolicy: 'DISALLOW_INSTALL',
      googlePlayProtectVerifyApps: 'VERIFY_APPS_ENFORCED',
      developerSettings: 'DEVELOPER_SETTINGS_DISABLED',
    },
  };
}

/**
 * Merges compiled policies: per package the strictest install type wins (a ban over a forced
 * install over an approval, as in compileAndroidPolicy), and WHITELIST wins over BLACKLIST (an
 * allowlist policy on the group must keep unlisted apps off). Order-independent.
 */
export function mergeAndroidPolicies(policies: readonly AndroidPolicy[]): AndroidPolicy {
  const merged = baselineAndroidPolicy();
  const installTypes = new Map<string, AndroidInstallType>();
  for (const policy of policies) {
    if (policy.playStoreMode === 'WHITELIST') merged.playStoreMode = 'WHITELIST';
    for (const app of policy.applications) {
      const current = installTypes.get(app.packageName);
      if (!current || RANK[app.installType] > RANK[current])
        installTypes.set(app.packageName, app.installType);
    }
  }
  merged.applications = [...installTypes.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([packageName, installType]) => ({ packageName, installType }));
  return merged;
}
