/*
 * The Google Cloud service-account key JSON, as an officer downloads it from the Cloud console.
 * Checked field by field before it is stored or handed to google-auth-library: Google's own docs ask
 * callers to validate credential JSON from an outside source before using it.
 */

/** Where Google's OAuth token endpoint is; a key naming another one is only accepted outside production. */
export const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';

export interface ServiceAccountKey {
  type: 'service_account';
  project_id: string;
  private_key_id?: string;
  private_key: string;
  client_email: string;
  token_uri: string;
}

export class ServiceAccountKeyError extends Error {
  override readonly name = 'ServiceAccountKeyError';
  constructor(
    /** The offending field of the key JSON, e.g. `serviceAccountKey.client_email`. */
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

/**
 * Parses the key (the JSON text or the already parsed object). `allowInsecureTokenUri` lets tests
 * and the demo point `token_uri` at a local fake over plain HTTP.
 */
export function parseServiceAccountKey(
  input: unknown,
  options: { allowInsecureTokenUri?: boolean } = {},
): ServiceAccountKey {
  const field = (name: string) => `serviceAccountKey.${name}`;
  let raw: unknown = input;
  if (typeof input === 'string') {
    try {
      raw = JSON.parse(input);
    } catch {
      throw new ServiceAccountKeyError('serviceAccountKey', 'is not valid JSON');
    }
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ServiceAccountKeyError(
      'serviceAccountKey',
      'must be the key JSON object downloaded from Google Cloud',
    );
  }
  const key = raw as Record<string, unknown>;
  if (key.type !== 'service_account') {
    throw new ServiceAccountKeyError(field('type'), 'must be "service_account"');
  }
  if (typeof key.project_id !== 'string' || !PROJECT_ID.test(key.project_id)) {
    throw new ServiceAccountKeyError(field('project_id'), 'must be a Google Cloud project id');
  }
  if (typeof key.client_email !== 'string' || !EMAIL.test(key.client_email)) {
    throw new ServiceAccountKeyError(field('client_email'), 'must be the service account e-mail address');
  }
  if (typeof key.private_key !== 'string' || !key.private_key.includes('-----BEGIN PRIVATE KEY-----')) {
    throw new ServiceAccountKeyError(field('private_key'), 'must be a PEM PKCS#8 private key');
  }
  if (key.private_key_id !== undefined && typeof key.private_key_id !== 'string') {
    throw new ServiceAccountKeyError(field('private_key_id'), 'must be a string');
  }
  const tokenUri = key.token_uri ?? GOOGLE_TOKEN_URI;
  if (typeof tokenUri !== 'string') throw new ServiceAccountKeyError(field('token_uri'), 'must be a URL');
  let parsedUri: URL;
  try {
    parsedUri = new URL(tokenUri);
  } catch {
    throw new ServiceAccountKeyError(field('token_uri'), 'must be a URL');
  }
  if (parsedUri.protocol !== 'https:' && !options.allowInsecureTokenUri) {
    throw new ServiceAccountKeyError(field('token_uri'), 'must be an https URL');
  }
  return {
    type: 'service_account',
    project_id: key.project_id,
    ...(key.private_key_id === undefined ? {} : { private_key_id: key.private_key_id }),
    private_key: key.private_key,
    client_email: key.client_email,
    token_uri: tokenUri,
  };
}
