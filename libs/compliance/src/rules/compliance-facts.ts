/*
 * What the compliance rules look at, platform-neutral: facts about one device in, status and reasons
 * out. No framework, no database: the Nest side loads these facts and stores the verdict.
 */

export const COMPLIANCE_STATUS_ORDER = [
  'compliant',
  'non_compliant',
  'pending',
  'unenforceable',
  'stale',
  'unknown',
] as const;
export type Status = (typeof COMPLIANCE_STATUS_ORDER)[number];

/** What the last inventory told us about the device. */
export interface InventoryFacts {
  /** Last complete app inventory; null: none yet. */
  appsReportedAt: Date | null;
  /** Last complete profile list (iPhones); null: none yet. */
  profilesReportedAt: Date | null;
  /** An inventory command failed after the last complete inventory. */
  failedAt: Date | null;
  error: string | null;
}

export interface DeviceFacts {
  platform: 'ios' | 'android';
  /** Enrolled and reachable by MDM (an iPhone that has sent its push token, an active Android phone). */
  enrolled: boolean;
  /** iPhones: from DeviceInformation; null until the phone has answered. Android: ignored. */
  supervised: boolean | null;
  /** iPhones: the last check-in. Android: the last status report (not the last devices.list sync). */
  lastSeenAt: Date | null;
  inventory: InventoryFacts;
  /** Apps installed: the inventory, plus (Android) packages a report names as APP_INSTALLED non-compliance. */
  installedApps: ReadonlyArray<{ identifier: string; name: string | null }>;
  /** iPhones: configuration profiles from ProfileList. */
  installedProfiles: ReadonlyArray<{ identifier: string; uuid: string | null }>;
}

/** Where the delivery of a policy version to this device stands (libs/rollouts' states). */
export type DeliveryFact = 'in_flight' | 'done' | 'failed' | 'none';

/** One policy version in effect for the device's group, with the part of its ban spec for the device's platform. */
export interface ApplicablePolicy {
  slug: string;
  version: number;
  mode: 'blocklist' | 'allowlist';
  blocked: readonly string[];
  allowed: readonly string[];
  /** iPhones: PayloadIdentifier and PayloadUUID of the version's configuration profile. */
  profile: { identifier: string; uuid: string } | null;
  delivery: DeliveryFact;
  /**
   * Android: whether the phone reports an applied AMAPI policy version at or above the one that
   * carries this policy version for its group; null when either is not known yet.
   */
  applied?: boolean | null;
}

export type ReasonCode =
  | 'not_enrolled'
  | 'no_inventory'
  | 'not_seen'
  | 'banned_app'
  | 'inventory_failed'
  | 'inventory_partial'
  | 'rollout_in_flight'
  | 'profile_missing'
  | 'profile_outdated'
  | 'policy_not_applied'
  | 'unsupervised';

export interface Reason {
  code: ReasonCode;
  app?: string;
  name?: string | null;
  policy?: string;
  version?: number;
  detail?: string;
}

export interface Warning {
  code: 'approved_app_missing';
  policy: string;
  /** The approved apps of the policy, none of which is installed. */
  apps: string[];
}

export interface Verdict {
  status: Status;
  reasons: Reason[];
  warnings: Warning[];
  /** Identifiers of banned apps installed. */
  bannedApps: string[];
}
