/**
 * The platform-neutral result of resolving a policy version: what to block and what to allow, per
 * platform. The Apple and Android compilers turn it into artifacts; it is stored with each version.
 * Identifier arrays are sorted and unique so that one version always compiles to the same bytes.
 */
export interface BanSpec {
  policy: {
    /** Stable per policy: the Apple PayloadIdentifier is derived from tenant + policy slug. */
    tenantSlug: string;
    slug: string;
    name: string;
    version: number;
    /** Shown to the phone's user (Apple PayloadOrganization). */
    organization: string;
    /** Shown to the phone's user (Apple PayloadDescription). */
    description: string;
  };
  /** blocklist: everything but the blocked apps may run. allowlist: only allowed (and system) apps may run. */
  mode: 'blocklist' | 'allowlist';
  /** Also emit the deprecated pre-iOS 15 keys (`blacklistedAppBundleIDs`) for older iPhones. */
  includeLegacyIosKeys: boolean;
  ios: { blocked: string[]; allowed: string[] };
  android: { blocked: string[]; allowed: string[]; forceInstalled: string[] };
}
