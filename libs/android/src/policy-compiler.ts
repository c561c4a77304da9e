import type { BanSpec } from '#libs/ban-spec';

/*
 * Compiles a platform-neutral BanSpec into an Android Management API (AMAPI) v1 `Policy` resource.
 *
 * Every field and enum value below was checked against the discovery document
 * (vendor/android-management/androidmanagement.v1.json, revision 20260917), and the
 * tests validate the output against it with validateAgainstDiscovery(). Rules followed:
 *   - no field marked `deprecated: true` and no enum value marked `enumDeprecated[i] === true`.
 *     In particular NOT `blockApplicationsEnabled` or `installUnknownSourcesAllowed` (both
 *     deprecated, "This field has no effect.") and NOT the `KIOSK` installType (deprecated).
 *   - no read-only / output-only field: `version` ("This is a read-only field. The version is
 *     incremented each time the policy is updated.") is left to the server; `name` is carried by
 *     the request path (enterprises/{e}/policies/{p}), not by this body.
 */

/** The ApplicationPolicy.installType values this compiler emits (none is deprecated). */
export type AndroidInstallType = 'BLOCKED' | 'AVAILABLE' | 'FORCE_INSTALLED';

/**
 * Policy.playStoreMode. In revision 20260917 the top-level field only has
 * PLAY_STORE_MODE_UNSPECIFIED / WHITELIST / BLACKLIST, and none of them is `enumDeprecated`
 * (the renamed ALLOWLIST / BLOCKLIST values exist only on
 * personalUsagePolicies.personalPlayStoreMode, where BLACKLIST is the deprecated one).
 */
export type AndroidPlayStoreMode = 'WHITELIST' | 'BLACKLIST';

export interface AndroidApplicationPolicy {
  packageName: string;
  installType: AndroidInstallType;
}

export interface AndroidApplicationReportingSettings {
  includeRemovedApps: boolean;
}

export interface AndroidStatusReportingSettings {
  applicationReportsEnabled: boolean;
  applicationReportingSettings: AndroidApplicationReportingSettings;
  softwareInfoEnabled: boolean;
  deviceSettingsEnabled: boolean;
}

export interface AndroidAdvancedSecurityOverrides {
  untrustedAppsPolicy: 'DISALLOW_INSTALL';
  googlePlayProtectVerifyApps: 'VERIFY_APPS_ENFORCED';
  developerSettings: 'DEVELOPER_SETTINGS_DISABLED';
}

/** The subset of the AMAPI `Policy` resource that Rempart manages. */
export interface AndroidPolicy {
  applications: AndroidApplicationPolicy[];
  playStoreMode: AndroidPlayStoreMode;
  statusReportingSettings: AndroidStatusReportingSettings;
  advancedSecurityOverrides: AndroidAdvancedSecurityOverrides;
}

/** "Policy applied to apps. This can have at most 3,000 elements." (Policy.applications) */
export const MAX_ANDROID_APPLICATIONS = 3000;

/** Thrown when a BanSpec cannot be turned into a Policy AMAPI would accept. */
export class AndroidPolicyCompileError extends Error {
  override readonly name = 'AndroidPolicyCompileError';
}

// Java package names: two or more dot-separated segments, each starting with a letter.
const PACKAGE_NAME = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$/;

function checkPackageNames(field: string, names: readonly string[]): void {
  for (const name of names) {
    if (typeof name !== 'string' || !PACKAGE_NAME.test(name)) {
      throw new AndroidPolicyCompileError(
        `spec.android.${field} contains an invalid package name: ${JSON.stringify(name)}`,
      );
    }
  }
}

/** Code-unit order: independent of locale and ICU version, so the output bytes never drift. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compileAndroidPolicy(spec: BanSpec): AndroidPolicy {
  const { blocked, allowed, forceInstalled } = spec.android;
  checkPackageNames('blocked', blocked);
  checkPackageNames('allowed', allowed);
  checkPackageNames('forceInstalled', forceInstalled);

  // One entry per package. Precedence when a package appears in several lists:
  // BLOCKED > FORCE_INSTALLED > AVAILABLE. Keeping banned apps off the phone is the point of the
  // service, so a ban always wins over an approval.
  const installTypes = new Map<string, AndroidInstallType>();
  for (const packageName of allowed) installTypes.set(packageName, 'AVAILABLE');
  for (const packageName of forceInstalled) installTypes.set(packageName, 'FORCE_INSTALLED');
  // Blocked apps are listed in both modes. In BLACKLIST mode that is what blocks them ("any app that
  // should not be on the device should be explicitly marked as 'BLOCKED'"). In WHITELIST mode an
  // unlisted app is already uninstalled, but BLOCKED "also blocks its instant app functionality"
  // and keeps the ban explicit (and reportable) if the mode ever changes.
  for (const packageName of blocked) installTypes.set(packageName, 'BLOCKED');

  if (installTypes.size > MAX_ANDROID_APPLICATIONS) {
    throw new AndroidPolicyCompileError(
      `an Android policy can list at most ${MAX_ANDROID_APPLICATIONS} applications; this spec lists ${installTypes.size}`,
    );
  }

  const applications = [...installTypes.entries()]
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([packageName, installType]) => ({ packageName, installType }));

  return {
    applications,
    // playStoreMode: WHITELIST = "Only apps that are in the policy are available and any app not in
    // the policy will be automatically uninstalled from the device." BLACKLIST = "All apps are
    // available and any app that should not be on the device should be explicitly marked as
    // 'BLOCKED' in the applications policy." Neither value is enumDeprecated in the discovery
    // document, and the field has no non-deprecated replacement (ALLOWLIST/BLOCKLIST only exist on
    // personalUsagePolicies.personalPlayStoreMode, which governs the personal side of a
    // company-owned work-profile device, not the managed apps). The value is always emitted
    // explicitly because PLAY_STORE_MODE_UNSPECIFIED silently means WHITELIST.
    playStoreMode: spec.mode === 'allowlist' ? 'WHITELIST' : 'BLACKLIST',
    statusReportingSettings: {
      // Compliance: Device.applicationReports is "only available when application_reports_enabled
      // is true", and removed apps are reported so that an uninstall of a banned app is visible.
      applicationReportsEnabled: true,
      applicationReportingSettings: { includeRemovedApps: true },
      // Android version, security patch level and Android Device Policy version.
      softwareInfoEnabled: true,
      // Device.deviceSettings: isDeviceSecure, unknownSourcesEnabled, developmentSettingsEnabled,
      // verifyAppsEnabled: the signals that tell whether the ban could be bypassed by sideloading.
      deviceSettingsEnabled: true,
      // Deliberately not enabled (data minimisation on staff phones; not needed for an app ban):
      // hardwareStatus, memoryInfo, networkInfo, displayInfo, powerManagementEvents,
      // systemProperties, commonCriteriaMode, defaultApplicationInfoReporting.
    },
    advancedSecurityOverrides: {
      // Stops banned apps from being sideloaded. Replaces installUnknownSourcesAllowed (deprecated,
      // "This field has no effect."). It is the default, but stated explicitly so a default change
      // cannot reopen the hole.
      untrustedAppsPolicy: 'DISALLOW_INSTALL',
      // Replaces ensureVerifyAppsEnabled (deprecated). Default, stated explicitly.
      googlePlayProtectVerifyApps: 'VERIFY_APPS_ENFORCED',
      // Developer options allow `adb install`, another sideloading path. Replaces safeBootDisabled
      // and debuggingFeaturesAllowed (both deprecated). Default, stated explicitly.
      developerSettings: 'DEVELOPER_SETTINGS_DISABLED',
    },
  };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Recursively copies a JSON value with object keys in code-unit order; drops undefined members. */
function canonicalize(value: unknown): Json {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`cannot serialize non-finite number ${value}`);
    return value;
  }
  if (Array.isArray(value)) return value.map((item) => canonicalize(item));
  if (typeof value === 'object') {
    const out: { [key: string]: Json } = {};
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record).sort(compareStrings)) {
      if (record[key] !== undefined) out[key] = canonicalize(record[key]);
    }
    return out;
  }
  throw new TypeError(`cannot serialize a value of type ${typeof value}`);
}

/**
 * Stable bytes for a policy: UTF-8 JSON, object keys sorted at every level, array order kept
 * (compileAndroidPolicy already sorts applications by packageName), 2-space indent, trailing newline.
 */
export function serializeAndroidPolicy(policy: AndroidPolicy): Buffer {
  return Buffer.from(`${JSON.stringify(canonicalize(policy), null, 2)}\n`, 'utf8');
}
