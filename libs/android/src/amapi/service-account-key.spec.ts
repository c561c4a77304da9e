import { describe, expect, it } from '@jest/globals';
import { GOOGLE_TOKEN_URI, parseServiceAccountKey } from './service-account-key.js';

const key = {
  type: 'service_account',
  project_id: 'dinum-mdm-prod',
  private_key_id: 'abc',
  private_key: '-----BEGIN PRIVATE KEY-----\nMII...\n-----END PRIVATE KEY-----\n',
  client_email: 'rempart@dinum-mdm-prod.iam.gserviceaccount.com',
  client_id: '123',
  token_uri: GOOGLE_TOKEN_URI,
};

describe('parseServiceAccountKey', () => {
  it('accepts the key JSON as downloaded, text or object, and keeps only what auth needs', () => {
    const parsed = parseServiceAccountKey(JSON.stringify(key));
    expect(parsed).toEqual({ ...key, client_id: undefined, private_key_id: 'abc' } as never);
    expect(Object.keys(parsed)).not.toContain('client_id');
    expect(parseServiceAccountKey(key).client_email).toBe(key.client_email);
  });

  it.each([
    ['not json', 'serviceAccountKey: is not valid JSON'],
    [{ ...key, type: 'authorized_user' }, 'serviceAccountKey.type'],
    [{ ...key, project_id: 'X' }, 'serviceAccountKey.project_id'],
    [{ ...key, client_email: 'nobody' }, 'serviceAccountKey.client_email'],
    [{ ...key, private_key: 'secret' }, 'serviceAccountKey.private_key'],
    [{ ...key, token_uri: 'http://127.0.0.1/token' }, 'serviceAccountKey.token_uri'],
  ])('refuses %j naming the field', (input, field) => {
    expect(() => parseServiceAccountKey(input)).toThrow(field);
  });

  it('accepts a plain-HTTP token_uri only when told to (tests, demo)', () => {
    const local = { ...key, token_uri: 'http://127.0.0.1:9/token' };
    expect(parseServiceAccountKey(local, { allowInsecureTokenUri: true }).token_uri).toBe(local.token_uri);
  });
});
