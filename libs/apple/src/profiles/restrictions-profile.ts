import type { BanSpec } from '#libs/ban-spec';
import { encodePlist } from '../plist/plist-codec.js';
import { uuidV5 } from './deterministic-uuid.js';
import { IOS_ALLOWLIST_SYSTEM_BUNDLE_IDS } from './ios-system-apps.js';

/*
 * Compiles a BanSpec into an Apple configuration profile carrying one Restrictions
 * (`com.apple.applicationaccess`) payload. Keys and their iOS support come from Apple's schema
 * (vendor/apple-device-management/mdm/profiles/{TopLevel,com.apple.applicationaccess}.yaml);
 * the tests validate the output against it.
 *
 *   - blocklist mode: `blockedAppBundleIDs` (iOS 15+). The deprecated `blacklistedAppBundleIDs`
 *     (iOS 9.3-15) is added only when spec.includeLegacyIosKeys is set.
 *   - allowlist mode: `allowListedAppBundleIDs` (iOS 15+) = allowed apps + IOS_ALLOWLIST_SYSTEM_APPS;
 *     the deprecated `whitelistedAppBundleIDs` only with includeLegacyIosKeys.
 *   All of these keys need a supervised iPhone; an unsupervised one installs the profile and
 *   ignores them (the compliance rules call that `unenforceable`).
 *
 * Deterministic: identifiers and UUIDs are derived from tenant + policy (+ version), lists are
 * sorted and de-duplicated, and the plist codec writes keys in canonical order, so one policy
 * version always compiles to the same bytes.
 */

export const RESTRICTIONS_PAYLOAD_TYPE = 'com.apple.applicationaccess';
export const DEFAULT_PROFILE_IDENTIFIER_PREFIX = 'fr.rempart';

export type RestrictionsPayload = {
  PayloadType: typeof RESTRICTIONS_PAYLOAD_TYPE;
  PayloadVersion: 1;
  PayloadIdentifier: string;
  PayloadUUID: string;
  PayloadDisplayName: string;
  PayloadDescription: string;
  PayloadOrganization: string;
} & (
  | { blockedAppBundleIDs: string[]; blacklistedAppBundleIDs?: string[] }
  | { allowListedAppBundleIDs: string[]; whitelistedAppBundleIDs?: string[] }
);

export type RestrictionsProfile = {
  PayloadType: 'Configuration';
  PayloadVersion: 1;
  PayloadIdentifier: string;
  PayloadUUID: string;
  PayloadDisplayName: string;
  PayloadDescription: string;
  PayloadOrganization: string;
  /** 1 = iPhone/iPad/iPod touch (iOS 12.2+): a Mac offered the downloaded file will not install it. */
  TargetDeviceType: 1;
  PayloadRemovalDisallowed?: true;
  PayloadContent: [RestrictionsPayload];
};

export interface RestrictionsProfileOptions {
  /** Reverse-DNS prefix of every PayloadIdentifier. Default `fr.rempart`. */
  identifierPrefix?: string;
  /**
   * Adds `PayloadRemovalDisallowed: true`. Off by default: on iOS a profile installed by MDM can
   * only be removed by the MDM server (or by unenrolling, which this key does not prevent), so the
   * key adds nothing on the delivery path Rempart uses. It only changes a profile installed by hand
   * (the downloadable .mobileconfig) on a supervised phone, which then cannot be removed without
   * wiping the phone. Turn it on for that hand-distribution case only.
   */
  removalDisallowed?: boolean;
}

/** Thrown when a BanSpec cannot be turned into a profile iOS would accept. */
export class RestrictionsProfileError extends Error {
  override readonly name = 'RestrictionsProfileError';
}

// Slugs become one label of a reverse-DNS identifier: no dots, nothing iOS would reject.
const SLUG = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
const IDENTIFIER_PREFIX = /^[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*$/;
// iOS bundle IDs: reverse-DNS, alphanumerics, hyphens and periods. Case-sensitive: never normalised.
const BUNDLE_ID = /^[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$/;

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedUnique(ids: Iterable<string>): string[] {
  return [...new Set(ids)].sort(compareStrings);
}

function checkSlug(field: string, value: unknown): string {
  if (typeof value !== 'string' || !SLUG.test(value)) {
    throw new RestrictionsProfileError(
      `spec.policy.${field} must be letters, digits and inner hyphens to fit in a PayloadIdentifier; got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function checkBundleIds(field: string, ids: unknown): string[] {
  if (!Array.isArray(ids))
    throw new RestrictionsProfileError(`spec.ios.${field} must be an array of bundle IDs`);
  for (const id of ids) {
    if (typeof id !== 'string' || !BUNDLE_ID.test(id)) {
      throw new RestrictionsProfileError(
        `spec.ios.${field} contains an invalid iOS bundle ID: ${JSON.stringify(id)}`,
      );
    }
  }
  return ids as string[];
}

/** The profile's stable PayloadIdentifier: the same for every version, so each one replaces the last. */
export function restrictionsProfileIdentifier(
  tenantSlug: string,
  policySlug: string,
  prefix: string = DEFAULT_PROFILE_IDENTIFIER_PREFIX,
): string {
  if (!IDENTIFIER_PREFIX.test(prefix)) {
    throw new RestrictionsProfileError(`identifierPrefix must be reverse-DNS; got ${JSON.stringify(prefix)}`);
  }
  return `${prefix}.${checkSlug('tenantSlug', tenantSlug)}.policy.${checkSlug('slug', policySlug)}`;
}

/**
 * The profile's PayloadUUID for one policy version (and the UUID of its Restrictions payload):
 * new for every version, identical every time the same version is compiled.
 */
export function restrictionsProfileUuids(
  tenantSlug: string,
  policySlug: string,
  version: number,
): { profile: string; restrictions: string } {
  const base = `apple-restrictions-profile/${tenantSlug}/${policySlug}/v${version}`;
  return { profile: uuidV5(base), restrictions: uuidV5(`${base}/com.apple.applicationaccess`) };
}

function plural(n: number, singular: string, pluralForm: string): string {
  return `${n} ${n === 1 ? singular : pluralForm}`;
}

/** Builds the profile as a plist object (see compileRestrictionsProfile for its bytes). */
export function buildRestrictionsProfile(
  spec: BanSpec,
  options: RestrictionsProfileOptions = {},
): RestrictionsProfile {
  const { policy } = spec;
  if (!Number.isSafeInteger(policy.version) || policy.version < 1) {
    throw new RestrictionsProfileError(
      `spec.policy.version must be a positive integer; got ${JSON.stringify(policy.version)}`,
    );
  }
  if (typeof policy.name !== 'string' || policy.name.trim() === '') {
    throw new RestrictionsProfileError('spec.policy.name must not be empty: it is shown on the phone');
  }
  const identifier = restrictionsProfileIdentifier(policy.tenantSlug, policy.slug, options.identifierPrefix);
  const uuids = restrictionsProfileUuids(policy.tenantSlug, policy.slug, policy.version);

  const blocked = sortedUnique(checkBundleIds('blocked', spec.ios.blocked));
  const allowed = sortedUnique(checkBundleIds('allowed', spec.ios.allowed));
  const allowedSet = new Set(allowed);
  const blockedSet = new Set(blocked);
  const contradictions = blocked.filter((id) => allowedSet.has(id));
  if (contradictions.length > 0) {
    throw new RestrictionsProfileError(
      `spec.ios lists ${contradictions.join(', ')} as both blocked and allowed`,
    );
  }

  const organization = policy.organization?.trim() || policy.tenantSlug;
  let keys:
    | { blockedAppBundleIDs: string[]; blacklistedAppBundleIDs?: string[] }
    | {
        allowListedAppBundleIDs: string[];
        whitelistedAppBundleIDs?: string[];
      };
  let displayName: string;
  let defaultDescription: string;
  let payloadDescription: string;
  switch (spec.mode) {
    case 'blocklist': {
      keys = spec.includeLegacyIosKeys
        ? { blockedAppBundleIDs: blocked, blacklistedAppBundleIDs: blocked }
        : { blockedAppBundleIDs: blocked };
      displayName = `Applications interdites — ${policy.name}`;
      defaultDescription =
        'Votre organisation interdit certaines applications sur ce téléphone professionnel. / ' +
        'Your organisation blocks some apps on this work phone.';
      payloadDescription =
        `Empêche d’ouvrir ${plural(blocked.length, 'application interdite', 'applications interdites')}. / ` +
        `Prevents ${plural(blocked.length, 'banned app', 'banned apps')} from opening.`;
      break;
    }
    case 'allowlist': {
      // System apps stay allowed unless the policy blocks one explicitly.
      const list = sortedUnique([
        ...allowed,
        ...IOS_ALLOWLIST_SYSTEM_BUNDLE_IDS.filter((id) => !blockedSet.has(id)),
      ]);
      keys = spec.includeLegacyIosKeys
        ? { allowListedAppBundleIDs: list, whitelistedAppBundleIDs: list }
        : { allowListedAppBundleIDs: list };
      displayName = `Applications autorisées — ${policy.name}`;
      defaultDescription =
        'Seules les applications autorisées par votre organisation peuvent être ouvertes sur ce téléphone professionnel. / ' +
        'Only apps your organisation allows can be opened on this work phone.';
      payloadDescription =
        `Seules ${plural(list.length, 'application autorisée', 'applications autorisées')} peuvent être ouvertes. / ` +
        `Only ${plural(list.length, 'allowed app', 'allowed apps')} can be opened.`;
      break;
    }
    default:
      throw new RestrictionsProfileError(
        `spec.mode must be blocklist or allowlist; got ${JSON.stringify(spec.mode)}`,
      );
  }

  const restrictions: RestrictionsPayload = {
    PayloadType: RESTRICTIONS_PAYLOAD_TYPE,
    PayloadVersion: 1,
    PayloadIdentifier: `${identifier}.restrictions`,
    PayloadUUID: uuids.restrictions,
    PayloadDisplayName: 'Restrictions d’applications / App restrictions',
    PayloadDescription: payloadDescription,
    PayloadOrganization: organization,
    ...keys,
  };
  const profile: RestrictionsProfile = {
    PayloadType: 'Configuration',
    PayloadVersion: 1,
    PayloadIdentifier: identifier,
    PayloadUUID: uuids.profile,
    PayloadDisplayName: displayName,
    PayloadDescription: policy.description?.trim() || defaultDescription,
    PayloadOrganization: organization,
    TargetDeviceType: 1,
    PayloadContent: [restrictions],
  };
  if (options.removalDisallowed === true) profile.PayloadRemovalDisallowed = true;
  return profile;
}

/** The profile as XML plist bytes (unsigned); the same spec always gives the same bytes. */
export function compileRestrictionsProfile(spec: BanSpec, options: RestrictionsProfileOptions = {}): Buffer {
  return encodePlist(buildRestrictionsProfile(spec, options));
}
