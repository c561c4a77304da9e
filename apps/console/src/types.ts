/** The API's answers as the console reads them (see README "API overview"). */
export interface Group {
  slug: string;
  name: string;
}

export interface Policy {
  slug: string;
  name: string;
  description: string | null;
  mode: 'blocklist' | 'allowlist';
  groups: string[];
  blockLists: string[];
  allowLists: string[];
  forceInstall: string[];
  effectiveAt: string | null;
  latestVersion: number | null;
  updatedAt: string;
}

export interface PolicyVersion {
  version: number;
  effectiveAt: string;
  publishedAt: string;
  publishedBy: string;
  groups: string[];
  banSpec: unknown;
  lists: unknown;
}

export interface PolicyImpact {
  policy: string;
  currentVersion: number | null;
  nextVersion: number;
  mode: string;
  newlyBlocked: { ios: string[]; android: string[] };
  devices: number;
  unsupervisedIphones: number;
  groups: Array<{ group: string; devices: number }>;
  apps: Array<{
    platform: 'ios' | 'android';
    identifier: string;
    app: string | null;
    name: string | null;
    devices: number;
    groups: number;
    unsupervisedIphones: number;
  }>;
}

export interface PublishResult {
  version: number;
  rolloutId: string;
  effectiveAt: string;
}

export interface AppList {
  slug: string;
  name: string;
  kind: 'block' | 'allow';
  description?: string;
  sources?: string[];
  effectiveAt?: string;
  apps: string[];
  bundleIds: string[];
  packageNames: string[];
  origin: 'tenant' | 'shipped';
}

export interface CatalogIdentifier {
  bundleId?: string;
  packageName?: string;
  verified: boolean;
  sources: string[];
  variant?: string;
}

export interface CatalogApp {
  slug: string;
  name: string;
  category: string;
  notes?: string;
  ios: CatalogIdentifier[];
  android: CatalogIdentifier[];
  needsVerification: boolean;
}

export type DeliveryState =
  'pending' | 'pushed' | 'acknowledged' | 'verified' | 'failed' | 'superseded' | 'cancelled';

export const DELIVERY_STATES: DeliveryState[] = [
  'pending',
  'pushed',
  'acknowledged',
  'verified',
  'failed',
  'superseded',
  'cancelled',
];

export interface Rollout {
  id: string;
  policy: string;
  version: number;
  state: 'scheduled' | 'running' | 'paused' | 'cancelled' | 'superseded';
  startsAt: string;
  startedAt: string | null;
  createdAt: string;
  createdBy: string;
  total: number;
  counts: Record<DeliveryState, number>;
  percentDone: number;
  complete: boolean;
}

export interface RolloutDetail extends Rollout {
  reasons: Array<{ state: DeliveryState; reason: string; count: number }>;
  failedJobs: Array<Record<string, unknown>>;
}

export interface Enrollment {
  id: string;
  group: string;
  platform: 'ios' | 'android';
  expiresAt: string | null;
  maxUses: number | null;
  uses: number;
  revokedAt: string | null;
  createdAt: string;
  enrollUrl?: string;
  qrPngUrl?: string;
  qrCode?: string;
  [key: string]: unknown;
}

export interface ComplianceDevice {
  udid: string;
  deviceName: string | null;
  serialNumber: string | null;
  platform: 'ios' | 'android';
  group: string;
  supervised: boolean | null;
  status: string;
  reasons: Array<Record<string, unknown>> | null;
  warnings: Array<Record<string, unknown>> | null;
  statusSince: string;
  nonCompliantSince: string | null;
  lastSeenAt: string | null;
}

export interface ComplianceSummary {
  total: number;
  counts: Record<string, number>;
}

export interface TrendDay {
  day: string;
  counts: Record<string, number> | null;
}

export interface BannedApp {
  app: string;
  name: string | null;
  identifiers: string[];
  devices: number;
  groups: number;
}

export interface AuditEvent {
  id: string;
  at: string;
  actor: string;
  action: string;
  target?: string | null;
  [key: string]: unknown;
}
