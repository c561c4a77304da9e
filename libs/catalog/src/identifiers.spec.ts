import { describe, expect, it } from '@jest/globals';
import { isValidBundleId, isValidPackageName, isValidSlug } from './identifiers.js';

describe('isValidBundleId', () => {
  it.each([
    'com.atebits.Tweetie2',
    'net.whatsapp.WhatsAppSMB',
    'ph.telegra.Telegraph',
    'co.hinge.mobile.ios',
    'a.b',
    'com.my-app.x1',
  ])('accepts %s', (id) => expect(isValidBundleId(id)).toBe(true));

  it.each([
    ['one segment', 'whatsapp'],
    ['empty segment', 'com..whatsapp'],
    ['leading dot', '.com.whatsapp'],
    ['trailing dot', 'com.whatsapp.'],
    ['underscore', 'com.ftw_and_co.happn'],
    ['space', 'com.whats app'],
    ['non-ASCII', 'com.exemple.télé'],
    ['empty', ''],
  ])('rejects %s', (_why, id) => expect(isValidBundleId(id)).toBe(false));

  it('accepts 155 characters and rejects 156', () => {
    const id = (n: number) => `com.${'a'.repeat(n - 4)}`;
    expect(isValidBundleId(id(155))).toBe(true);
    expect(isValidBundleId(id(156))).toBe(false);
  });

  it('rejects non-strings', () => {
    expect(isValidBundleId(42)).toBe(false);
    expect(isValidBundleId(undefined)).toBe(false);
  });
});

describe('isValidPackageName', () => {
  it.each([
    'com.whatsapp',
    'com.ftw_and_co.happn',
    'fr.gouv.tchap.a',
    'io.olvid.messenger.nogoogle',
    'Com.Example9',
  ])('accepts %s', (id) => expect(isValidPackageName(id)).toBe(true));

  it.each([
    ['one segment', 'whatsapp'],
    ['segment starting with a digit', 'com.9gag'],
    ['segment starting with underscore', 'com._private'],
    ['hyphen', 'com.my-app'],
    ['empty segment', 'com..app'],
    ['trailing dot', 'com.app.'],
    ['empty', ''],
  ])('rejects %s', (_why, id) => expect(isValidPackageName(id)).toBe(false));
});

describe('isValidSlug', () => {
  it('accepts kebab-case and rejects the rest', () => {
    expect(isValidSlug('whatsapp-business')).toBe(true);
    expect(isValidSlug('fr-gov-2023-messaging')).toBe(true);
    expect(isValidSlug('WhatsApp')).toBe(false);
    expect(isValidSlug('whatsapp_business')).toBe(false);
    expect(isValidSlug('-whatsapp')).toBe(false);
    expect(isValidSlug('whatsapp--business')).toBe(false);
  });
});
