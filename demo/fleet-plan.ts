import type { SimulatedApp } from '../test/simulators/iphone-simulator.js';

/*
 * Who is in the demo's fleet. DEMO_DEVICES phones: half supervised iPhones bought through Apple
 * Business Manager (Automated Device Enrollment), a quarter unsupervised iPhones enrolled through
 * the enrollment link (personal purchases), a quarter Android phones (Android Enterprise). A few of
 * them are there to make every compliance status appear: phones left in a drawer (stale), phones
 * switched off before their first inventory (unknown), locked phones that put the ban off (pending), Android phones that keep WhatsApp
 * (non-compliant), unsupervised iPhones without a banned app (unenforceable: Apple ignores the
 * block there).
 */

export const MIN_DEVICES = 7;

export const IOS_APPS = {
  whatsapp: { identifier: 'net.whatsapp.WhatsApp', name: 'WhatsApp', version: '24.20' },
  telegram: { identifier: 'ph.telegra.Telegraph', name: 'Telegram', version: '11.2' },
  tiktok: { identifier: 'com.zhiliaoapp.musically', name: 'TikTok', version: '36.5' },
  olvid: { identifier: 'io.olvid.messenger', name: 'Olvid', version: '3.3' },
} satisfies Record<string, SimulatedApp>;

export const ANDROID_APPS = {
  whatsapp: { packageName: 'com.whatsapp', versionName: '2.24.20', displayName: 'WhatsApp' },
  telegram: { packageName: 'org.telegram.messenger', versionName: '11.2', displayName: 'Telegram' },
  tiktok: { packageName: 'com.zhiliaoapp.musically', versionName: '36.5', displayName: 'TikTok' },
  olvid: { packageName: 'io.olvid.messenger', versionName: '3.3', displayName: 'Olvid' },
};

export type AppKey = keyof typeof IOS_APPS;

export interface FleetPlan {
  total: number;
  /** Supervised iPhones from Apple Business Manager. */
  ade: number;
  /** Unsupervised iPhones enrolled through the enrollment link. */
  link: number;
  android: number;
  /** The first `locked` ADE iPhones: locked, they answer NotNow to the ban's profile (pending). */
  locked: number;
  /** The last `drawer` ADE iPhones: switched off before the ban, last seen days ago (stale). */
  drawer: number;
  /** The first `silent` link iPhones: switched off right after enrolling, before any inventory (unknown). */
  silent: number;
  /** The first `stubborn` Android phones: WhatsApp stays installed (non-compliant). */
  stubborn: number;
}

export function planFleet(total: number): FleetPlan {
  if (total < MIN_DEVICES) {
    throw new RangeError(
      `DEMO_DEVICES must be at least ${MIN_DEVICES} (the mixed fleet needs that many), got ${total}`,
    );
  }
  const android = Math.max(2, Math.round(total / 4));
  const link = Math.max(2, Math.round(total / 4));
  const few = Math.max(1, Math.floor(total / 100));
  return {
    total,
    ade: total - android - link,
    link,
    android,
    locked: few,
    drawer: few,
    silent: few,
    stubborn: few,
  };
}

/**
 * Phone i of a kind: every third has WhatsApp, every fifth Telegram, every seventh TikTok (counted
 * from 1, so that the first phone of each kind has none); all have Olvid.
 */
export function appsAt(i: number): AppKey[] {
  const n = i + 1;
  return [
    'olvid',
    ...(n % 3 === 0 ? ['whatsapp' as const] : []),
    ...(n % 5 === 0 ? ['telegram' as const] : []),
    ...(n % 7 === 0 ? ['tiktok' as const] : []),
  ];
}

/**
 * The ADE iPhone `i`. The locked phones and those in the drawer have Olvid only: a banned app would
 * make them non-compliant whatever else holds, hiding the status they are there to show.
 */
export function adeApps(plan: FleetPlan, i: number): SimulatedApp[] {
  const keys = i < plan.locked || i >= plan.ade - plan.drawer ? (['olvid'] as AppKey[]) : appsAt(i);
  return keys.map((k) => IOS_APPS[k]);
}

export function linkApps(i: number): SimulatedApp[] {
  return appsAt(i).map((k) => IOS_APPS[k]);
}

/** Android phones: every other one has WhatsApp (and the stubborn ones all do). */
export function androidApps(plan: FleetPlan, i: number) {
  const keys = new Set<AppKey>(appsAt(i));
  if (i % 2 === 1 || i < plan.stubborn) keys.add('whatsapp');
  return [...keys].map((k) => ANDROID_APPS[k]);
}
