import { isValidDeviceToken, outcomeOf } from './apns-reasons.js';

describe('outcomeOf', () => {
  it.each([
    [200, undefined, 'accepted'],
    [410, 'Unregistered', 'unregistered'],
    [410, 'ExpiredToken', 'unregistered'],
    [429, 'TooManyRequests', 'retry'],
    [500, 'InternalServerError', 'retry'],
    [503, 'Shutdown', 'retry'],
    [400, 'IdleTimeout', 'retry'],
    [400, 'BadDeviceToken', 'rejected'],
    [400, 'DeviceTokenNotForTopic', 'rejected'],
    [400, 'TopicDisallowed', 'certificate'],
    [403, 'BadCertificate', 'certificate'],
    [403, 'BadCertificateEnvironment', 'certificate'],
    [403, 'ExpiredProviderToken', 'certificate'],
    [404, 'BadPath', 'rejected'],
    [405, 'MethodNotAllowed', 'rejected'],
    [413, 'PayloadTooLarge', 'rejected'],
  ] as const)('%i %s → %s', (status, reason, outcome) => {
    expect(outcomeOf(status, reason)).toBe(outcome);
  });
});

describe('isValidDeviceToken', () => {
  it('accepts hex tokens of whole bytes, either case', () => {
    expect(isValidDeviceToken('a'.repeat(64))).toBe(true);
    expect(isValidDeviceToken('0123456789ABCDEFabcdef0123456789')).toBe(true);
  });

  it.each(['', 'abc', 'zz'.repeat(32), 'a'.repeat(63), `${'a'.repeat(62)} a`, 'a'.repeat(402)])(
    'refuses %j',
    (token) => {
      expect(isValidDeviceToken(token)).toBe(false);
    },
  );

  it('refuses non-strings', () => {
    expect(isValidDeviceToken(undefined)).toBe(false);
    expect(isValidDeviceToken(42)).toBe(false);
  });
});
