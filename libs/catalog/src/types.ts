/** Categories of catalog apps. `approved-messaging` marks messengers that governments approve (Olvid, Tchap). */
export const APP_CATEGORIES = [
  'messaging',
  'social',
  'entertainment',
  'game',
  'dating',
  'approved-messaging',
] as const;
export type AppCategory = (typeof APP_CATEGORIES)[number];

export const APP_LIST_KINDS = ['block', 'allow'] as const;
export type AppListKind = (typeof APP_LIST_KINDS)[number];

/** One iOS app identity. Bundle IDs are case-sensitive: keep them exactly as Apple spells them. */
export interface IosIdentifier {
  bundleId: string;
  /** App Store numeric ID (apps.apple.com/app/id<trackId>), when known. */
  trackId?: number;
  /** Present exactly when `trackId` is: whether the track ID has 2 or more independent sources. */
  trackIdVerified?: boolean;
  /** True only with 2 or more independent sources; false means "check against the live store first". */
  verified: boolean;
  sources: string[];
  /** Label of a variant build (e.g. "Douyin"); absent for the app's main store listing. */
  variant?: string;
}

/** One Android package (application ID). */
export interface AndroidIdentifier {
  packageName: string;
  verified: boolean;
  sources: string[];
  variant?: string;
}

export interface CatalogApp {
  /** kebab-case, unique within the catalog; lists refer to apps by slug. */
  slug: string;
  name: string;
  category: AppCategory;
  notes?: string;
  /** The main App Store app first, then variants. May be empty. */
  ios: IosIdentifier[];
  /** The main Google Play package first, then variants. May be empty. */
  android: AndroidIdentifier[];
}

/**
 * A named list of apps to block or allow. Field names match the `POST /v1/app-lists` body
 * `{slug, name, kind, apps, bundleIds?, packageNames?}`; shipped lists also carry provenance.
 */
export interface AppList {
  slug: string;
  name: string;
  kind: AppListKind;
  /** What the list implements and why (shipped lists always have one). */
  description?: string;
  /** Where the rule comes from (shipped lists always have at least one). */
  sources?: string[];
  /** ISO-8601 date (YYYY-MM-DD) or date-time with offset. */
  effectiveAt?: string;
  /** Catalog app slugs. */
  apps: string[];
  /** Raw iOS bundle IDs outside the catalog (case preserved). */
  bundleIds: string[];
  /** Raw Android package names outside the catalog. */
  packageNames: string[];
}

/** A validated catalog with lookups. Identifiers are unique per platform across apps. */
export interface Catalog {
  readonly apps: readonly CatalogApp[];
  /** The app with this slug, if any. */
  app(slug: string): CatalogApp | undefined;
  has(slug: string): boolean;
  /** The app owning this exact (case-sensitive) iOS bundle ID, if any. */
  appForBundleId(bundleId: string): CatalogApp | undefined;
  /** The app owning this Android package name, if any. */
  appForPackageName(packageName: string): CatalogApp | undefined;
}
