import { describe, expect, it } from '@jest/globals';
import { parseAppListYaml, serializeAppListYaml, validateAppList } from './app-list.js';
import { CatalogError } from './catalog-error.js';
import { createCatalog } from './catalog.js';
import type { AppList } from './types.js';

const catalog = createCatalog([
  {
    slug: 'whatsapp',
    name: 'WhatsApp',
    category: 'messaging',
    ios: [{ bundleId: 'net.whatsapp.WhatsApp', verified: true, sources: ['SMA', 'SEC'] }],
    android: [{ packageName: 'com.whatsapp', verified: true, sources: ['UAD', 'SEC'] }],
  },
  {
    slug: 'telegram',
    name: 'Telegram',
    category: 'messaging',
    ios: [{ bundleId: 'ph.telegra.Telegraph', verified: true, sources: ['SMA', 'SEC'] }],
    android: [{ packageName: 'org.telegram.messenger', verified: true, sources: ['NOTIFAI', 'SEC'] }],
  },
]);

const LIST = `
slug: test-messaging
name: Test messaging ban
kind: block
description: Blocks messengers for the test.
sources: [a circular]
effectiveAt: 2023-12-08
apps: [whatsapp, telegram]
bundleIds: [com.example.Chat]
packageNames: [com.example.chat]
`;

function listError(text: string, options: { requireProvenance?: boolean } = {}): CatalogError {
  try {
    parseAppListYaml(text, catalog, { file: 'lists/test-messaging.yaml', ...options });
  } catch (e) {
    expect(e).toBeInstanceOf(CatalogError);
    return e as CatalogError;
  }
  throw new Error('expected a CatalogError');
}

describe('parseAppListYaml', () => {
  it('parses a list, keeping the unquoted date a string and iOS case', () => {
    expect(parseAppListYaml(LIST, catalog)).toEqual({
      slug: 'test-messaging',
      name: 'Test messaging ban',
      kind: 'block',
      description: 'Blocks messengers for the test.',
      sources: ['a circular'],
      effectiveAt: '2023-12-08',
      apps: ['whatsapp', 'telegram'],
      bundleIds: ['com.example.Chat'],
      packageNames: ['com.example.chat'],
    });
  });

  it('accepts the POST /v1/app-lists body shape', () => {
    expect(
      validateAppList({ slug: 'x-list', name: 'X', kind: 'allow', apps: ['whatsapp'] }, catalog),
    ).toEqual({
      slug: 'x-list',
      name: 'X',
      kind: 'allow',
      apps: ['whatsapp'],
      bundleIds: [],
      packageNames: [],
    });
  });

  it('parse error: malformed YAML', () => {
    const error = listError('slug: x\napps: [whatsapp\n');
    expect(error.code).toBe('YAML_SYNTAX');
    expect(error.message).toMatch(/^lists\/test-messaging\.yaml: malformed YAML at line \d+/);
  });

  it('parse error: unknown app slug, with a hint', () => {
    const error = listError(LIST.replace('[whatsapp, telegram]', '[whatsapp, telegramm]'));
    expect(error.code).toBe('UNKNOWN_APP');
    expect(error.identifier).toBe('telegramm');
    expect(error.field).toBe('apps[1]');
    expect(error.message).toBe(
      "lists/test-messaging.yaml: apps[1] (list 'test-messaging'): 'telegramm' is not an app of the catalog (did you mean 'telegram'?)",
    );
  });

  it('parse error: bad bundle ID', () => {
    const error = listError(LIST.replace('com.example.Chat', 'com.example.Chat!'));
    expect(error.code).toBe('INVALID_BUNDLE_ID');
    expect(error.field).toBe('bundleIds[0]');
    expect(error.message).toContain("'com.example.Chat!' is not a valid iOS bundle ID");
  });

  it('parse error: bad package name', () => {
    const error = listError(LIST.replace('[com.example.chat]', '[com.example.9chat]'));
    expect(error.code).toBe('INVALID_PACKAGE_NAME');
    expect(error.identifier).toBe('com.example.9chat');
  });

  it('parse error: empty list', () => {
    const error = listError('slug: nothing\nname: Nothing\nkind: block\napps: []\n');
    expect(error.code).toBe('EMPTY_LIST');
    expect(error.message).toBe(
      "lists/test-messaging.yaml: (list 'nothing'): the list is empty: give at least one of apps, bundleIds, packageNames",
    );
  });

  it('parse error: bad kind, bad date, duplicates, unknown field', () => {
    expect(listError(LIST.replace('kind: block', 'kind: deny')).code).toBe('INVALID_KIND');
    expect(listError(LIST.replace('2023-12-08', '2023-02-30')).code).toBe('INVALID_DATE');
    expect(listError(LIST.replace('2023-12-08', '8 December 2023')).code).toBe('INVALID_DATE');
    expect(listError(LIST.replace('[whatsapp, telegram]', '[whatsapp, whatsapp]')).code).toBe(
      'DUPLICATE_ENTRY',
    );
    expect(listError(LIST.replace('kind: block', 'kind: block\nmode: strict')).code).toBe('UNKNOWN_FIELD');
    expect(listError(LIST.replace('slug: test-messaging', 'slug: Test Messaging')).code).toBe('INVALID_SLUG');
  });

  it('accepts a date-time with offset and rejects one without', () => {
    expect(
      parseAppListYaml(LIST.replace('2023-12-08', "'2023-12-08T00:00:00+01:00'"), catalog).effectiveAt,
    ).toBe('2023-12-08T00:00:00+01:00');
    expect(listError(LIST.replace('2023-12-08', "'2023-12-08T00:00:00'")).code).toBe('INVALID_DATE');
  });

  it('requires description and sources when asked (shipped lists)', () => {
    const error = listError(LIST.replace('description: Blocks messengers for the test.\n', ''), {
      requireProvenance: true,
    });
    expect(error.code).toBe('MISSING_FIELD');
    expect(error.field).toBe('description');
  });
});

describe('serializeAppListYaml', () => {
  it('export/import round trip', () => {
    const list = parseAppListYaml(LIST, catalog);
    const text = serializeAppListYaml(list);
    expect(text).toContain("effectiveAt: '2023-12-08'");
    expect(text).toContain('com.example.Chat');
    expect(parseAppListYaml(text, catalog)).toEqual(list);
  });

  it('round-trips a minimal list without optional fields', () => {
    const list: AppList = {
      slug: 'raw-only',
      name: 'Raw: only ids',
      kind: 'allow',
      apps: [],
      bundleIds: ['fr.gouv.tchap'],
      packageNames: [],
    };
    const text = serializeAppListYaml(list);
    expect(text).not.toContain('packageNames');
    expect(parseAppListYaml(text, catalog)).toEqual(list);
  });
});
