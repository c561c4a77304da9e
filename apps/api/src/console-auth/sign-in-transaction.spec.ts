import { describe, expect, it } from '@jest/globals';
import {
  MAX_PENDING_SIGN_INS,
  newTransaction,
  openTransactions,
  safeReturnTo,
  sealTransactions,
} from './sign-in-transaction.js';

const KEY = 'k'.repeat(43);
const CONSOLE = 'https://rempart.interieur.gouv.fr';

describe('sign-in transaction cookie', () => {
  it('opens what it sealed, with the same key only', () => {
    const transaction = newTransaction('/devices?status=non_compliant', 600, 1_000);
    const sealed = sealTransactions([transaction], KEY);
    expect(openTransactions(sealed, KEY)).toEqual([{ ...transaction, expiresAt: 601_000 }]);
    expect(openTransactions(sealed, 'x'.repeat(43))).toEqual([]);
  });

  it('refuses a cookie altered by one character, truncated, or not ours', () => {
    const sealed = sealTransactions([newTransaction('/', 600)], KEY);
    const flipped = sealed.slice(0, 40) + (sealed[40] === 'A' ? 'B' : 'A') + sealed.slice(41);
    expect(openTransactions(flipped, KEY)).toEqual([]);
    expect(openTransactions(sealed.slice(0, 30), KEY)).toEqual([]);
    expect(openTransactions('not-a-transaction', KEY)).toEqual([]);
    expect(openTransactions(undefined, KEY)).toEqual([]);
  });

  it('keeps the newest pending sign-ins of a browser, as many as fit in one cookie', () => {
    const many = Array.from({ length: MAX_PENDING_SIGN_INS + 2 }, (_, i) =>
      newTransaction(`/page-${i}`, 600),
    );
    const kept = openTransactions(sealTransactions(many, KEY), KEY);
    expect(kept.map((t) => t.returnTo)).toEqual(many.slice(-MAX_PENDING_SIGN_INS).map((t) => t.returnTo));

    const long = (i: number) => newTransaction(`/devices?q=${String(i).repeat(1500)}`, 600);
    const sealed = sealTransactions([long(1), long(2), long(3)], KEY);
    expect(sealed.length).toBeLessThanOrEqual(3_800);
    expect(openTransactions(sealed, KEY).map((t) => t.returnTo)).toEqual([long(3).returnTo]);
  });
});

describe('returnTo after sign-in', () => {
  it.each([
    ['/policies/messageries?tab=impact#top', '/policies/messageries?tab=impact#top'],
    ['/', '/'],
    ['/a/../b', '/b'],
  ])('keeps the console path %s', (returnTo, kept) => {
    expect(safeReturnTo(returnTo, CONSOLE)).toBe(kept);
  });

  it.each([
    'https://evil.example/',
    '//evil.example/',
    '/\\evil.example',
    '/\\/evil.example',
    'javascript:alert(1)',
    'evil.example',
    '/devices\nLocation: https://evil.example',
    '',
    `/${'a'.repeat(3000)}`,
  ])('replaces %j with /', (returnTo) => {
    expect(safeReturnTo(returnTo, CONSOLE)).toBe('/');
  });

  it('replaces anything but one string with /', () => {
    expect(safeReturnTo(['/a', '/b'], CONSOLE)).toBe('/');
    expect(safeReturnTo(undefined, CONSOLE)).toBe('/');
  });
});
