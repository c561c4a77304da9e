/** Longest bundle ID accepted (App Store Connect limit). */
export const MAX_BUNDLE_ID_LENGTH = 155;
/** Longest package name accepted: it becomes a directory name (/data/data/<package>), 255 bytes at most. */
export const MAX_PACKAGE_NAME_LENGTH = 255;

const BUNDLE_ID = /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;
const PACKAGE_NAME = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$/;
const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/**
 * Apple bundle ID grammar: reverse-DNS, at least two segments of [A-Za-z0-9-] separated by single dots,
 * at most 155 characters. Case is significant and never changed (com.atebits.Tweetie2).
 */
export function isValidBundleId(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_BUNDLE_ID_LENGTH && BUNDLE_ID.test(value);
}

/**
 * Android application ID grammar (as the platform's package parser checks it): at least two segments
 * separated by '.', each starting with a letter followed by letters, digits or '_'. Java keywords are not
 * rejected: the platform does not reject them in application IDs either.
 */
export function isValidPackageName(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_PACKAGE_NAME_LENGTH && PACKAGE_NAME.test(value);
}

/** Catalog and list slugs: lower-case kebab-case (`whatsapp-business`, `fr-gov-2023-messaging`). */
export function isValidSlug(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 100 && SLUG.test(value);
}
