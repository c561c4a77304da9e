import { describe, expect, it } from '@jest/globals';
import { CatalogError } from './catalog-error.js';
import { createCatalog, parseCatalogYaml } from './catalog.js';

const VALID = `
apps:
  - slug: whatsapp
    name: WhatsApp
    category: messaging
    ios:
      - bundleId: net.whatsapp.WhatsApp
        trackId: 310633997
        trackIdVerified: true
        verified: true
        sources: [SMA, SEC]
    android:
      - packageName: com.whatsapp
        verified: true
        sources: [UAD, SEC]
  - slug: olvid
    name: Olvid
    category: approved-messaging
    ios:
      - bundleId: io.olvid.messenger
        verified: true
        sources: [SMA, SEC]
    android:
      - packageName: io.olvid.messenger
        verified: true
        sources: [SEC, repo olvid-io/olvid-android obv_messenger/app/build.gradle]
  - slug: fruitz
    name: Fruitz
    category: dating
    notes: nothing known
`;

function catalogError(text: string): CatalogError {
  try {
    parseCatalogYaml(text, { file: 'catalog.yaml' });
  } catch (e) {
    expect(e).toBeInstanceOf(CatalogError);
    return e as CatalogError;
  }
  throw new Error('expected a CatalogError');
}

describe('parseCatalogYaml', () => {
  it('parses apps, identifiers and lookups', () => {
    const catalog = parseCatalogYaml(VALID);
    expect(catalog.apps.map((a) => a.slug)).toEqual(['whatsapp', 'olvid', 'fruitz']);
    expect(catalog.app('whatsapp')!.ios[0]).toEqual({
      bundleId: 'net.whatsapp.WhatsApp',
      trackId: 310633997,
      trackIdVerified: true,
      verified: true,
      sources: ['SMA', 'SEC'],
    });
    expect(catalog.app('fruitz')).toEqual({
      slug: 'fruitz',
      name: 'Fruitz',
      category: 'dating',
      notes: 'nothing known',
      ios: [],
      android: [],
    });
    expect(catalog.appForBundleId('net.whatsapp.WhatsApp')?.slug).toBe('whatsapp');
    expect(catalog.appForBundleId('net.whatsapp.whatsapp')).toBeUndefined();
    expect(catalog.appForPackageName('io.olvid.messenger')?.slug).toBe('olvid');
    expect(catalog.has('nope')).toBe(false);
  });

  it('rejects malformed YAML with its line', () => {
    const error = catalogError('apps:\n  - slug: [whatsapp\n    name: x\n');
    expect(error.code).toBe('YAML_SYNTAX');
    expect(error.message).toMatch(/^catalog\.yaml: malformed YAML at line \d+, column \d+/);
  });

  it('rejects duplicate keys', () => {
    expect(catalogError('apps: []\napps: []\n').code).toBe('YAML_SYNTAX');
  });

  it('rejects a document that is not a mapping', () => {
    expect(catalogError('- whatsapp\n').code).toBe('INVALID_DOCUMENT');
    expect(catalogError('').code).toBe('INVALID_DOCUMENT');
  });

  it('rejects a duplicate slug', () => {
    const error = catalogError(VALID.replace('slug: olvid', 'slug: whatsapp'));
    expect(error.code).toBe('DUPLICATE_SLUG');
    expect(error.slug).toBe('whatsapp');
    expect(error.message).toBe(
      "catalog.yaml: apps[1] (app 'whatsapp'): slug 'whatsapp' is already used by apps[0]",
    );
  });

  it('rejects a bad bundle ID, naming the app and field', () => {
    const error = catalogError(
      VALID.replace('bundleId: net.whatsapp.WhatsApp', 'bundleId: net.whatsapp.Whats_App'),
    );
    expect(error.code).toBe('INVALID_BUNDLE_ID');
    expect(error.field).toBe('apps[0].ios[0].bundleId');
    expect(error.identifier).toBe('net.whatsapp.Whats_App');
    expect(error.message).toContain(
      "catalog.yaml: apps[0].ios[0].bundleId (app 'whatsapp'): 'net.whatsapp.Whats_App'",
    );
  });

  it('rejects a bad package name', () => {
    const error = catalogError(VALID.replace('packageName: com.whatsapp', 'packageName: com.1whatsapp'));
    expect(error.code).toBe('INVALID_PACKAGE_NAME');
    expect(error.field).toBe('apps[0].android[0].packageName');
  });

  it('rejects an identifier listed under two apps', () => {
    const error = catalogError(VALID.replace('packageName: io.olvid.messenger', 'packageName: com.whatsapp'));
    expect(error.code).toBe('DUPLICATE_IDENTIFIER');
    expect(error.message).toContain("Android package 'com.whatsapp' is already listed under app 'whatsapp'");
  });

  it('rejects iOS bundle IDs that differ only in case', () => {
    const error = catalogError(
      VALID.replace('bundleId: io.olvid.messenger', 'bundleId: net.whatsapp.whatsapp'),
    );
    expect(error.code).toBe('DUPLICATE_IDENTIFIER');
    expect(error.message).toContain("(as 'net.whatsapp.WhatsApp')");
  });

  it('rejects an unknown category', () => {
    const error = catalogError(VALID.replace('category: dating', 'category: romance'));
    expect(error.code).toBe('INVALID_CATEGORY');
    expect(error.message).toContain("'romance' is not a category");
  });

  it('rejects unknown and missing fields', () => {
    expect(catalogError(VALID.replace('bundleId: io.olvid', 'bundleID: io.olvid')).code).toBe(
      'UNKNOWN_FIELD',
    );
    expect(catalogError(VALID.replace('        sources: [SMA, SEC]\n    android', '    android')).code).toBe(
      'MISSING_FIELD',
    );
    expect(catalogError(VALID.replace('        trackIdVerified: true\n', '')).field).toBe(
      'apps[0].ios[0].trackIdVerified',
    );
  });

  it('rejects a non-boolean verified flag and a bad track ID', () => {
    expect(
      catalogError(
        VALID.replace(
          'verified: true\n        sources: [SMA, SEC]\n    android',
          'verified: yes\n        sources: [SMA, SEC]\n    android',
        ),
      ).code,
    ).toBe('INVALID_FIELD');
    expect(catalogError(VALID.replace('trackId: 310633997', 'trackId: -3')).code).toBe('INVALID_TRACK_ID');
  });

  it('rejects an invalid slug', () => {
    expect(catalogError(VALID.replace('slug: fruitz', 'slug: Fruitz')).code).toBe('INVALID_SLUG');
  });
});

describe('createCatalog', () => {
  it('validates apps built in code, accepting bigint track IDs read back as strings', () => {
    const catalog = createCatalog([
      {
        slug: 'signal',
        name: 'Signal',
        category: 'messaging',
        ios: [
          {
            bundleId: 'org.whispersystems.signal',
            trackId: '874139669' as unknown as number,
            trackIdVerified: true,
            verified: true,
            sources: ['SMA', 'SEC'],
          },
        ],
        android: [],
      },
    ]);
    expect(catalog.app('signal')!.ios[0].trackId).toBe(874139669);
    expect(() =>
      createCatalog([
        {
          slug: 'x',
          name: 'X',
          category: 'social',
          ios: [],
          android: [{ packageName: 'x', verified: false, sources: ['me'] }],
        },
      ]),
    ).toThrow(/apps\[0\]\.android\[0\]\.packageName \(app 'x'\): 'x' is not a valid Android package name/);
  });
});
