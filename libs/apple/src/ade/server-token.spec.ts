import { describe, expect, it } from '@jest/globals';
import { buildServerTokenP7m } from '../../../../test/fakes/ade-token.js';
import { FakeAde } from '../../../../test/fakes/fake-ade.js';
import { decryptServerToken, generateAdeKeyPair } from './server-token.js';

describe('ABM server token (.p7m)', () => {
  const keys = generateAdeKeyPair('rempart-ade-test');
  const credentials = new FakeAde().credentials;

  it('makes a certificate ABM accepts: RSA 2048, keyEncipherment, valid two years', () => {
    expect(keys.certificatePem).toMatch(/^-----BEGIN CERTIFICATE-----/);
    const years = (keys.notAfter.getTime() - Date.now()) / (365 * 24 * 60 * 60 * 1000);
    expect(years).toBeGreaterThan(1.9);
  });

  it('decrypts the S/MIME file with and without MESSAGE markers', () => {
    for (const markers of [true, false]) {
      const token = decryptServerToken(
        buildServerTokenP7m(keys.certificatePem, credentials, { markers }),
        keys.privateKeyPem,
        keys.certificatePem,
      );
      expect(token).toMatchObject(credentials);
      expect(token.accessTokenExpiry.getTime()).toBeGreaterThan(Date.now());
    }
  });

  it('says which key it was made for when it is another certificate’s token', () => {
    const other = generateAdeKeyPair('another-server');
    expect(() =>
      decryptServerToken(
        buildServerTokenP7m(other.certificatePem, credentials),
        keys.privateKeyPem,
        keys.certificatePem,
      ),
    ).toThrow(expect.objectContaining({ code: 'TOKEN_WRONG_KEY' }));
  });

  it('refuses text that is not a token, damaged base64, missing fields and an expired token', () => {
    const good = buildServerTokenP7m(keys.certificatePem, credentials);
    const cases: Array<[string, string]> = [
      ['Bonjour, voici le jeton !', 'TOKEN_NOT_SMIME'],
      [good.replace(/\r\n\r\n[A-Za-z0-9+/]{20}/, '\r\n\r\nAAAA'), 'TOKEN_CORRUPT'],
      [
        buildServerTokenP7m(keys.certificatePem, credentials, {
          json: '{"consumer_key":"CK_1","access_token_expiry":"2099-01-01T00:00:00Z"}',
        }),
        'TOKEN_CONTENT_INVALID',
      ],
      [buildServerTokenP7m(keys.certificatePem, credentials, { json: 'not json' }), 'TOKEN_CONTENT_INVALID'],
      [
        buildServerTokenP7m(keys.certificatePem, credentials, { expiry: new Date('2020-01-01T00:00:00Z') }),
        'TOKEN_EXPIRED',
      ],
    ];
    for (const [text, code] of cases) {
      expect(() => decryptServerToken(text, keys.privateKeyPem, keys.certificatePem)).toThrow(
        expect.objectContaining({ code }),
      );
    }
  });
});
