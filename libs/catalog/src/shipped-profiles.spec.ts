import { beforeAll, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAppListYaml, serializeAppListYaml } from './app-list.js';
import { isValidBundleId, isValidPackageName, isValidSlug } from './identifiers.js';
import { findProfilesDir, loadShippedProfiles, type ShippedProfiles } from './profiles.js';
import { APP_CATEGORIES, type AppList } from './types.js';

/**
 * Every app of the project's reference app catalog (app-catalog.md) with its main identifiers, as written there
 * (null: unknown, so absent from the catalog). Guards against typos and dropped apps.
 */
const REFERENCE: Record<string, [ios: string | null, android: string | null]> = {
  whatsapp: ['net.whatsapp.WhatsApp', 'com.whatsapp'],
  'whatsapp-business': ['net.whatsapp.WhatsAppSMB', 'com.whatsapp.w4b'],
  telegram: ['ph.telegra.Telegraph', 'org.telegram.messenger'],
  'telegram-x': [null, 'org.thunderdog.challegram'],
  signal: ['org.whispersystems.signal', 'org.thoughtcrime.securesms'],
  'facebook-messenger': ['com.facebook.Messenger', 'com.facebook.orca'],
  snapchat: ['com.toyopagroup.picaboo', 'com.snapchat.android'],
  viber: ['com.viber', 'com.viber.voip'],
  wechat: ['com.tencent.xin', 'com.tencent.mm'],
  discord: ['com.hammerandchisel.discord', 'com.discord'],
  skype: ['com.skype.skype', 'com.skype.raider'],
  threema: ['ch.threema.iapp', 'ch.threema.app'],
  'threema-work': ['ch.threema.work.iapp', 'ch.threema.app.work'],
  olvid: ['io.olvid.messenger', 'io.olvid.messenger'],
  tchap: ['fr.gouv.tchap', 'fr.gouv.tchap.a'],
  wire: ['com.wearezeta.zclient.ios', 'com.wire'],
  element: ['im.vector.app', 'im.vector.app'],
  'element-x': ['io.element.elementx', 'io.element.android.x'],
  tiktok: ['com.zhiliaoapp.musically', 'com.zhiliaoapp.musically'],
  'twitter-x': ['com.atebits.Tweetie2', 'com.twitter.android'],
  instagram: ['com.burbn.instagram', 'com.instagram.android'],
  facebook: ['com.facebook.Facebook', 'com.facebook.katana'],
  threads: ['com.burbn.barcelona', 'com.instagram.barcelona'],
  netflix: ['com.netflix.Netflix', 'com.netflix.mediaclient'],
  'candy-crush-saga': ['com.midasplayer.apps.candycrushsaga', 'com.king.candycrushsaga'],
  'candy-crush-soda-saga': ['com.midasplayer.apps.candycrushsodasaga', 'com.king.candycrushsodasaga'],
  tinder: ['com.cardify.tinder', 'com.tinder'],
  bumble: ['com.moxco.bumble', 'com.bumble.app'],
  hinge: ['co.hinge.mobile.ios', 'co.hinge.app'],
  grindr: ['com.grindrguy.grindrx', 'com.grindrapp.android'],
  happn: [null, 'com.ftw_and_co.happn'],
  meetic: ['com.meetic.iphone', null],
  okcupid: ['com.okcupid.app', 'com.okcupid.okcupid'],
  badoo: ['com.badoo.Badoo', 'com.badoo.mobile'],
  fruitz: [null, null],
};

/** Identifiers that app-catalog.md rates "likely", "unknown" or unconfirmed: they must ship unverified. */
const UNVERIFIED_IOS = [
  'com.badoo.Badoo',
  'com.meetic.iphone',
  'com.midasplayer.apps.candycrushsodasaga',
  'com.okcupid.app',
  'com.ss.iphone.ugc.Aweme',
  'com.wearezeta.zclient.ios',
  'im.vector.app',
  'io.element.elementx',
];
const UNVERIFIED_ANDROID = [
  'ch.threema.app',
  'ch.threema.app.work',
  'com.facebook.lite',
  'com.king.candycrushsodasaga',
  'com.ss.android.ugc.aweme',
  'com.wire',
  'com.zhiliaoapp.musically.go',
  'im.vector.app',
  'io.element.android.x',
  'io.olvid.messenger.nogoogle',
  'org.telegram.messenger.web',
];
/** Track IDs from a single source. */
const UNVERIFIED_TRACK_IDS = [
  319881193, 382617920, 414478124, 547702041, 578665578, 595287172, 930441707, 930944768, 1105927783,
  1631335820,
];
/** Track IDs that app-catalog.md shows as unconfirmed/unknown: left out of the catalog. */
const UNKNOWN_TRACK_IDS = [363590051, 850417475, 338701294, 351331194, 304878510, 489185828];

let shipped: ShippedProfiles;

beforeAll(async () => {
  shipped = await loadShippedProfiles();
});

function list(slug: string): AppList {
  const found = shipped.lists.find((l) => l.slug === slug);
  if (!found) throw new Error(`no shipped list ${slug}`);
  return found;
}

/** Every iOS bundle ID and Android package a list names, through its apps and raw identifiers. */
function identifiers(l: AppList): { ios: Set<string>; android: Set<string> } {
  const ios = new Set(l.bundleIds);
  const android = new Set(l.packageNames);
  for (const slug of l.apps) {
    const app = shipped.catalog.app(slug)!;
    app.ios.forEach((i) => ios.add(i.bundleId));
    app.android.forEach((a) => android.add(a.packageName));
  }
  return { ios, android };
}

describe('shipped catalog (profiles/catalog.yaml)', () => {
  it('is found by walking up from the module', () => {
    expect(findProfilesDir()).toBe(shipped.dir);
  });

  it('holds every app of app-catalog.md', () => {
    const slugs = shipped.catalog.apps.map((a) => a.slug);
    expect([...slugs].sort()).toEqual(Object.keys(REFERENCE).sort());
  });

  it('every shipped app has a unique kebab-case slug, a name and a known category', () => {
    const slugs = shipped.catalog.apps.map((a) => a.slug);
    expect(new Set(slugs).size).toBe(slugs.length);
    for (const app of shipped.catalog.apps) {
      expect(isValidSlug(app.slug)).toBe(true);
      expect(app.name.trim()).not.toBe('');
      expect(APP_CATEGORIES).toContain(app.category);
    }
  });

  it("every app's main identifiers match app-catalog.md, iOS case preserved", () => {
    for (const [slug, [ios, android]] of Object.entries(REFERENCE)) {
      const app = shipped.catalog.app(slug)!;
      expect([slug, app.ios[0]?.bundleId ?? null]).toEqual([slug, ios]);
      expect([slug, app.android[0]?.packageName ?? null]).toEqual([slug, android]);
    }
    const all = shipped.catalog.apps.flatMap((a) => a.ios.map((i) => i.bundleId));
    for (const mixedCase of [
      'com.atebits.Tweetie2',
      'net.whatsapp.WhatsAppSMB',
      'com.facebook.Messenger',
      'com.facebook.Facebook',
      'ph.telegra.Telegraph',
      'com.netflix.Netflix',
      'com.badoo.Badoo',
    ]) {
      expect(all).toContain(mixedCase);
    }
  });

  it('every iOS bundle ID has valid syntax', () => {
    for (const app of shipped.catalog.apps) {
      for (const { bundleId } of app.ios)
        expect([app.slug, bundleId, isValidBundleId(bundleId)]).toEqual([app.slug, bundleId, true]);
    }
  });

  it('every Android package name follows the Android grammar', () => {
    for (const app of shipped.catalog.apps) {
      for (const { packageName } of app.android) {
        expect([app.slug, packageName, isValidPackageName(packageName)]).toEqual([
          app.slug,
          packageName,
          true,
        ]);
      }
    }
  });

  it('no identifier is in two apps', () => {
    const ios = shipped.catalog.apps.flatMap((a) => a.ios.map((i) => i.bundleId.toLowerCase()));
    const android = shipped.catalog.apps.flatMap((a) => a.android.map((i) => i.packageName));
    const tracks = shipped.catalog.apps.flatMap((a) => a.ios.flatMap((i) => (i.trackId ? [i.trackId] : [])));
    expect(new Set(ios).size).toBe(ios.length);
    expect(new Set(android).size).toBe(android.length);
    expect(new Set(tracks).size).toBe(tracks.length);
  });

  it('includes the variants as identifiers of the same app', () => {
    const android = (slug: string) => shipped.catalog.app(slug)!.android.map((a) => a.packageName);
    expect(android('tiktok')).toEqual(
      expect.arrayContaining([
        'com.zhiliaoapp.musically',
        'com.ss.android.ugc.trill',
        'com.zhiliaoapp.musically.go',
      ]),
    );
    expect(android('facebook')).toEqual(['com.facebook.katana', 'com.facebook.lite']);
    expect(android('olvid')).toEqual(['io.olvid.messenger', 'io.olvid.messenger.nogoogle']);
    expect(android('telegram')).toEqual(['org.telegram.messenger', 'org.telegram.messenger.web']);
    expect(shipped.catalog.app('telegram-x')!.ios).toEqual([]);
    expect(shipped.catalog.app('fruitz')!).toMatchObject({ ios: [], android: [] });
  });

  it('every unverified identifier is flagged, and only those', () => {
    const apps = shipped.catalog.apps;
    const unverifiedIos = apps.flatMap((a) => a.ios.filter((i) => !i.verified).map((i) => i.bundleId));
    const unverifiedAndroid = apps.flatMap((a) =>
      a.android.filter((i) => !i.verified).map((i) => i.packageName),
    );
    const unverifiedTracks = apps.flatMap((a) =>
      a.ios.filter((i) => i.trackId !== undefined && !i.trackIdVerified).map((i) => i.trackId),
    );
    expect(unverifiedIos.sort()).toEqual([...UNVERIFIED_IOS].sort());
    expect(unverifiedAndroid.sort()).toEqual([...UNVERIFIED_ANDROID].sort());
    expect(unverifiedTracks.sort()).toEqual([...UNVERIFIED_TRACK_IDS].sort());
  });

  it('verified identifiers cite at least two sources and every identifier cites one', () => {
    for (const app of shipped.catalog.apps) {
      for (const id of [...app.ios, ...app.android]) {
        expect(id.sources.length).toBeGreaterThanOrEqual(id.verified ? 2 : 1);
      }
    }
  });

  it('leaves out track IDs that are unknown or unconfirmed', () => {
    const tracks = shipped.catalog.apps.flatMap((a) => a.ios.map((i) => i.trackId));
    for (const unknown of UNKNOWN_TRACK_IDS) expect(tracks).not.toContain(unknown);
  });
});

describe('shipped lists (profiles/lists)', () => {
  it('ships the five lists, each with a description and sources', () => {
    expect(shipped.lists.map((l) => [l.slug, l.kind])).toEqual([
      ['ch-army-threema', 'block'],
      ['ch-army-threema-approved', 'allow'],
      ['fr-gov-2023-messaging', 'block'],
      ['fr-gov-2023-messaging-approved', 'allow'],
      ['fr-gov-2023-recreational', 'block'],
    ]);
    for (const l of shipped.lists) {
      expect(l.description?.length).toBeGreaterThan(50);
      expect(l.sources?.length).toBeGreaterThan(0);
    }
    expect(list('fr-gov-2023-recreational').effectiveAt).toBe('2023-03-24');
    expect(list('fr-gov-2023-messaging').effectiveAt).toBe('2023-12-08');
  });

  it('the messaging list blocks WhatsApp, Telegram and Signal and not Olvid or Tchap', () => {
    const { ios, android } = identifiers(list('fr-gov-2023-messaging'));
    for (const id of [
      'net.whatsapp.WhatsApp',
      'net.whatsapp.WhatsAppSMB',
      'ph.telegra.Telegraph',
      'org.whispersystems.signal',
    ]) {
      expect(ios).toContain(id);
    }
    for (const id of [
      'com.whatsapp',
      'com.whatsapp.w4b',
      'org.telegram.messenger',
      'org.telegram.messenger.web',
      'org.thunderdog.challegram',
      'org.thoughtcrime.securesms',
    ]) {
      expect(android).toContain(id);
    }
    for (const id of ['io.olvid.messenger', 'fr.gouv.tchap']) expect(ios).not.toContain(id);
    for (const id of ['io.olvid.messenger', 'io.olvid.messenger.nogoogle', 'fr.gouv.tchap.a']) {
      expect(android).not.toContain(id);
    }
    expect(list('fr-gov-2023-messaging-approved').apps).toEqual(['olvid', 'tchap']);
  });

  it('the ch-army list does not contain Threema', () => {
    const l = list('ch-army-threema');
    expect(l.apps).not.toContain('threema');
    expect(l.apps).not.toContain('threema-work');
    const { ios, android } = identifiers(l);
    for (const id of ['ch.threema.iapp', 'ch.threema.work.iapp']) expect(ios).not.toContain(id);
    for (const id of ['ch.threema.app', 'ch.threema.app.work']) expect(android).not.toContain(id);
    expect(android).toContain('com.whatsapp');
    expect(list('ch-army-threema-approved').apps).toEqual(['threema', 'threema-work']);
  });

  it('the recreational list blocks TikTok, X, Instagram, Netflix, Candy Crush and dating apps', () => {
    const l = list('fr-gov-2023-recreational');
    expect(l.apps).toEqual(
      expect.arrayContaining([
        'tiktok',
        'twitter-x',
        'instagram',
        'netflix',
        'candy-crush-saga',
        'candy-crush-soda-saga',
      ]),
    );
    const dating = shipped.catalog.apps.filter((a) => a.category === 'dating').map((a) => a.slug);
    expect(l.apps).toEqual(expect.arrayContaining(dating));
    expect(l.apps.some((slug) => shipped.catalog.app(slug)!.category.includes('messaging'))).toBe(false);
  });

  it('no block list shares an app with the allow list it is paired with', () => {
    for (const [block, allow] of [
      ['fr-gov-2023-messaging', 'fr-gov-2023-messaging-approved'],
      ['ch-army-threema', 'ch-army-threema-approved'],
    ]) {
      const allowed = new Set(list(allow).apps);
      expect(list(block).apps.filter((slug) => allowed.has(slug))).toEqual([]);
    }
  });

  it('every shipped list file survives export and import unchanged', async () => {
    for (const l of shipped.lists) {
      const text = await readFile(join(shipped.dir, 'lists', `${l.slug}.yaml`), 'utf8');
      const parsed = parseAppListYaml(text, shipped.catalog);
      expect(parsed).toEqual(l);
      expect(parseAppListYaml(serializeAppListYaml(parsed), shipped.catalog)).toEqual(l);
    }
  });
});
