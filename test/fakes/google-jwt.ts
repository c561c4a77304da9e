import {
  createPublicKey,
  createVerify,
  generateKeyPairSync,
  randomBytes,
  sign,
  type KeyObject,
} from 'node:crypto';

/*
 * The JWT pieces the fake AMAPI needs: verifying a service account's token-request assertion and
 * signing the OIDC tokens Pub/Sub puts on push requests. RS256 only, as Google uses.
 */

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export interface RsaSigner {
  kid: string;
  privateKeyPem: string;
  publicKeyPem: string;
}

export function newRsaSigner(): RsaSigner {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    kid: randomBytes(10).toString('hex'),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export function signJwt(signer: RsaSigner, claims: Record<string, unknown>): string {
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: signer.kid }));
  const payload = b64url(JSON.stringify(claims));
  const signature = sign('sha256', Buffer.from(`${header}.${payload}`), signer.privateKeyPem);
  return `${header}.${payload}.${b64url(signature)}`;
}

/** The claims of an RS256 JWT whose signature `publicKey` verifies, or null. */
export function verifyJwt(token: string, publicKey: string | KeyObject): Record<string, unknown> | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const verifier = createVerify('RSA-SHA256');
  verifier.update(`${parts[0]}.${parts[1]}`);
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  if (!verifier.verify(key, Buffer.from(parts[2], 'base64url'))) return null;
  try {
    return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}
