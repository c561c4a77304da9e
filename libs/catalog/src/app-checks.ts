import type { CatalogApp } from './types.js';

export type AppCheckCode = 'UNVERIFIED_IDENTIFIER' | 'NO_IOS_IDENTIFIER' | 'NO_ANDROID_IDENTIFIER';

/** Something an officer should check about a catalog app before relying on it being blocked. */
export interface AppCheck {
  code: AppCheckCode;
  app: string;
  platform: 'ios' | 'android';
  /** The identifier concerned (UNVERIFIED_IDENTIFIER only). */
  identifier?: string;
  message: string;
}

/**
 * What is uncertain about an app: each identifier with fewer than two independent sources, and each
 * platform on which the catalog knows no identifier at all (the app cannot be blocked there).
 */
export function appChecks(app: CatalogApp): AppCheck[] {
  const checks: AppCheck[] = [];
  const label = `${app.name} (${app.slug})`;
  if (app.ios.length === 0) {
    checks.push({
      code: 'NO_IOS_IDENTIFIER',
      app: app.slug,
      platform: 'ios',
      message: `${label} has no iOS bundle ID in the catalog: it is not blocked (or allowed) on iPhones`,
    });
  }
  if (app.android.length === 0) {
    checks.push({
      code: 'NO_ANDROID_IDENTIFIER',
      app: app.slug,
      platform: 'android',
      message: `${label} has no Android package in the catalog: it is not blocked (or allowed) on Android phones`,
    });
  }
  for (const ios of app.ios.filter((id) => !id.verified)) {
    checks.push({
      code: 'UNVERIFIED_IDENTIFIER',
      app: app.slug,
      platform: 'ios',
      identifier: ios.bundleId,
      message: `${label}: iOS bundle ID ${ios.bundleId} is not verified (fewer than two sources); check it against the App Store`,
    });
  }
  for (const android of app.android.filter((id) => !id.verified)) {
    checks.push({
      code: 'UNVERIFIED_IDENTIFIER',
      app: app.slug,
      platform: 'android',
      identifier: android.packageName,
      message: `${label}: Android package ${android.packageName} is not verified (fewer than two sources); check it against Google Play`,
    });
  }
  return checks;
}

/**
 * The catalog's "needs a check": an unverified identifier, or no identifier on either platform.
 * An app missing on one platform only (Meetic has no Android package) is said in appChecks, and in
 * every version that lists it, but does not by itself mark the app.
 */
export function needsVerification(app: CatalogApp): boolean {
  return (
    (app.ios.length === 0 && app.android.length === 0) ||
    [...app.ios, ...app.android].some((id) => !id.verified)
  );
}
