import type { FakeAndroidDevice } from '../test/fakes/fake-android-device.js';
import type { SimulatedIphone } from '../test/simulators/iphone-simulator.js';
import type { ApiClient } from './api-client.js';
import { ANDROID_APPS, IOS_APPS, type AppKey } from './fleet-plan.js';

/* The demo's closing tables: deliveries per platform, what each kind of phone can open, compliance. */

export const say = (line = '') => process.stdout.write(`${line}\n`);

const PLATFORMS = ['ios', 'android'] as const;
const PLATFORM_NAMES = { ios: 'iOS', android: 'Android' } as const;

export function printDeliveries(
  countsByPlatform: Partial<Record<'ios' | 'android', Record<string, number>>>,
  notes: Partial<Record<string, string>>,
): void {
  say('\ndeliveries by state (GET /v1/rollouts/:id, countsByPlatform):');
  say(`  ${'state'.padEnd(14)} ${PLATFORMS.map((p) => PLATFORM_NAMES[p].padStart(7)).join(' ')}`);
  const states = Object.keys(countsByPlatform.ios ?? countsByPlatform.android ?? {});
  for (const state of states) {
    const counts = PLATFORMS.map((p) => countsByPlatform[p]?.[state] ?? 0);
    const cells = counts.map((n) => String(n).padStart(7)).join(' ');
    const note = notes[state] && counts.some((n) => n > 0) ? `  ${notes[state]}` : '';
    say(`  ${state.padEnd(14)} ${cells}${note}`);
  }
}

/** What the ban did on each kind of phone: Apple enforces blockedAppBundleIDs only when supervised. */
export function printApps(iphones: SimulatedIphone[], androids: FakeAndroidDevice[]): void {
  const supervised = iphones.filter((p) => p.supervised);
  const unsupervised = iphones.filter((p) => !p.supervised);
  say(
    `\nwhat the phones can open now (supervised iPhones ${supervised.length} / unsupervised iPhones ` +
      `${unsupervised.length} / Android ${androids.length}):`,
  );
  const rows: Array<[AppKey, string]> = [
    ['whatsapp', 'banned'],
    ['telegram', 'banned'],
    ['tiktok', 'not in this ban'],
    ['olvid', 'approved'],
  ];
  for (const [key, role] of rows) {
    const ios = IOS_APPS[key].identifier;
    const hasIos = (p: SimulatedIphone) => p.installedApps.some((a) => a.identifier === ios);
    const opensIos = (p: SimulatedIphone) => hasIos(p) && p.canLaunch(ios);
    // Android Device Policy uninstalls a blocked app: installed means it opens.
    const hasAndroid = (d: FakeAndroidDevice) =>
      d.apps.some((a) => a.packageName === ANDROID_APPS[key].packageName && a.state === 'INSTALLED');
    const installed = [
      supervised.filter(hasIos).length,
      unsupervised.filter(hasIos).length,
      androids.filter(hasAndroid).length,
    ];
    const opens = [supervised.filter(opensIos).length, unsupervised.filter(opensIos).length, installed[2]];
    say(
      `  ${`${IOS_APPS[key].name} (${role})`.padEnd(26)} installed on ${installed.join(' / ')}, ` +
        `opens on ${opens.join(' / ')}`,
    );
  }
}

interface ComplianceDevice {
  platform: 'ios' | 'android';
  status: string;
  reasons: Array<{ code: string; app?: string; name?: string | null; detail?: string }>;
}

export interface ComplianceSummary {
  total: number;
  counts: Record<string, number>;
}

/** The summary, split per platform, with the reasons behind each status (GET /v1/compliance/devices). */
export async function printCompliance(
  api: ApiClient,
  summary: ComplianceSummary,
  freshnessHours: number,
): Promise<void> {
  say('\ncompliance (GET /v1/compliance/summary; reasons from GET /v1/compliance/devices):');
  say(`  ${'status'.padEnd(14)} ${'all'.padStart(5)} ${'iOS'.padStart(5)} ${'Android'.padStart(7)}  reasons`);
  for (const [status, count] of Object.entries(summary.counts)) {
    const devices = count > 0 ? await complianceDevices(api, status) : [];
    const perPlatform = (p: string) => devices.filter((d) => d.platform === p).length;
    const reasons = new Map<string, number>();
    for (const device of devices) {
      for (const label of new Set(device.reasons.map((r) => describeReason(r, freshnessHours)))) {
        reasons.set(label, (reasons.get(label) ?? 0) + 1);
      }
    }
    const why = [...reasons]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([label, n]) => `${label} ${n}`)
      .join(', ');
    say(
      `  ${status.padEnd(14)} ${String(count).padStart(5)} ${String(perPlatform('ios')).padStart(5)} ` +
        `${String(perPlatform('android')).padStart(7)}  ${why}`.trimEnd(),
    );
  }
}

async function complianceDevices(api: ApiClient, status: string): Promise<ComplianceDevice[]> {
  const devices: ComplianceDevice[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await api.get<ComplianceDevice[]>(
      `/v1/compliance/devices?status=${status}&limit=1000&offset=${offset}`,
    );
    devices.push(...page);
    if (page.length < 1000) return devices;
  }
}

function describeReason(
  reason: { code: string; app?: string; name?: string | null; detail?: string },
  freshnessHours: number,
): string {
  switch (reason.code) {
    case 'banned_app':
      return `${reason.name ?? reason.app} installed`;
    case 'unsupervised':
      return 'unsupervised iPhone (Apple ignores the block)';
    case 'not_seen':
      return `no check-in for over ${freshnessHours} h`;
    case 'no_inventory':
      return 'no app inventory yet';
    case 'rollout_in_flight':
      return 'rollout in flight';
    default:
      return reason.detail ? `${reason.code} (${reason.detail})` : reason.code;
  }
}
