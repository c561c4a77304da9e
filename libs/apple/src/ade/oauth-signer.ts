import { createHmac } from 'node:crypto';
import OAuth from 'oauth-1.0a';
import type { AdeOAuthCredentials } from './server-token.js';

/**
 * The `Authorization` header of `GET /session`: OAuth 1.0a, HMAC-SHA1, realm "ADM", on one line
 * (apple-ade.md §2.1). The oauth-1.0a package builds the RFC 5849 base string, nonce and timestamp;
 * the realm is sent but, as RFC 5849 §3.4.1.3.1 requires, not signed.
 */
export function oauthSessionHeader(credentials: AdeOAuthCredentials, url: string): string {
  const oauth = new OAuth({
    consumer: { key: credentials.consumerKey, secret: credentials.consumerSecret },
    signature_method: 'HMAC-SHA1',
    realm: 'ADM',
    hash_function: (base, key) => createHmac('sha1', key).update(base).digest('base64'),
  });
  const data = oauth.authorize(
    { url, method: 'GET' },
    { key: credentials.accessToken, secret: credentials.accessSecret },
  );
  return oauth.toHeader(data).Authorization;
}
