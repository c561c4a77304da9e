import { describe, expect, it } from '@jest/globals';
import { newTransaction, openTransaction, safeReturnTo, sealTransaction } from './sign-in-transaction.js';

const KEY = 'k'.repeat(43);
const CONSOLE = 'https://rempart.interieur.gouv.fr';

describe('sign-in transaction cookie', () => {
  it('opens what it sealed, with the same key only', () => {
    const transaction = newTransaction('/devices?status=non_compliant', 600, 1_000);
    const sealed = sealTransaction(transaction, KEY);
    expect(openTransaction(sealed, KEY)).toEqual({ ...transaction, expiresAt: 601_000 });
    expect(openTransaction(sealed, 'x'.repeat(43))).toBeUndefined();
  });

  it('refuses a cookie altered by one character, truncated, or not ours', () => {
    const sealed = sealTransaction(newTransaction('/', 600), KEY);
    const flipped = sealed.slice(0, 40) + (sealed[40] === 'A' ? 'B' : 'A') + sealed.slice(41);
    expect(openTransaction(flipped, KEY)).toBeUndefined();
    expect(openTransaction(sealed.slice(0, 30), KEY)).toBeUndefined();
    expect(openTransaction('not-a-transaction', KEY)).toBeUndefined();
    expect(openTransaction(undefined, KEY)).toBeUndefined();
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
