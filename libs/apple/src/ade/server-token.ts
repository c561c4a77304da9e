import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';
import { AdeInputError } from './ade-error.js';

/*
 * The Apple Business Manager server token (shared/reference/apple-ade.md §1): ABM encrypts four
 * OAuth 1.0a strings to the certificate the administrator uploaded, and hands out an S/MIME text
 * file (`<server>_Token_<time>_smime.p7m`): MIME headers, a blank line, base64 of a CMS
 * EnvelopedData (RSA PKCS#1 v1.5 key transport, AES-128-CBC). Inside: MIME headers again, then the
 * JSON, with or without -----BEGIN MESSAGE----- markers.
 */

export interface AdeOAuthCredentials {
  consumerKey: string;
  consumerSecret: string;
  accessToken: string;
  accessSecret: string;
}

export interface AdeServerToken extends AdeOAuthCredentials {
  /** `access_token_expiry`: a year after ABM issued the token; renew before. */
  accessTokenExpiry: Date;
}

export interface AdeKeyPair {
  certificatePem: string;
  privateKeyPem: string;
  notAfter: Date;
}

/** ABM may reject an expired certificate at renewal ([UNVERIFIED]): make it last. */
export const ADE_CERTIFICATE_VALIDITY_YEARS = 2;
/** A .p7m is a few kilobytes; refuse anything far larger before parsing. */
export const MAX_SERVER_TOKEN_BYTES = 64 * 1024;

/**
 * The key pair whose certificate the ABM administrator uploads (RSA 2048, self-signed, keyEncipherment
 * + digitalSignature as nanodep's tokenpki does). Every renewed token is encrypted to it: keep the key.
 */
export function generateAdeKeyPair(commonName = 'rempart-ade', now = new Date()): AdeKeyPair {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const key = forge.pki.privateKeyFromPem(privateKeyPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.rsa.setPublicKey(key.n, key.e);
  cert.serialNumber = `40${forge.util.bytesToHex(forge.random.getBytesSync(15))}`;
  cert.validity.notBefore = new Date(now.getTime() - 10 * 60 * 1000);
  const notAfter = new Date(now.getTime());
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + ADE_CERTIFICATE_VALIDITY_YEARS);
  cert.validity.notAfter = notAfter;
  const name = [{ shortName: 'CN', value: commonName }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
  ]);
  cert.sign(key, forge.md.sha256.create());
  return { certificatePem: forge.pki.certificateToPem(cert), privateKeyPem, notAfter };
}

/** Drops a MIME header block (lines up to the first blank line) when the text starts with headers. */
function withoutMimeHeaders(text: string): string {
  const normalized = text.replace(/\r\n/g, '\n').trim();
  if (!/^[A-Za-z-]+:/.test(normalized)) return normalized;
  const blank = normalized.indexOf('\n\n');
  return blank === -1 ? '' : normalized.slice(blank + 2);
}

/** The DER EnvelopedData inside the S/MIME text (a bare base64 body is accepted too). */
function envelopeDer(smime: string): Buffer {
  const body = withoutMimeHeaders(smime).replace(/\s+/g, '');
  if (body === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(body)) {
    throw new AdeInputError(
      'TOKEN_NOT_SMIME',
      'this is not an Apple Business Manager server token: upload the .p7m file downloaded from ABM (Preferences > your MDM server > Download Token) as it is',
    );
  }
  return Buffer.from(body, 'base64');
}

/** The JSON text inside the decrypted message: headers and BEGIN/END MESSAGE markers removed. */
function tokenJson(decrypted: string): string {
  return withoutMimeHeaders(decrypted)
    .split('\n')
    .filter((line) => !/^-----(BEGIN|END) MESSAGE-----$/.test(line.trim()))
    .join('');
}

function requiredString(json: Record<string, unknown>, key: string): string {
  const value = json[key];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new AdeInputError(
      'TOKEN_CONTENT_INVALID',
      `the server token has no ${key}: download a new token from Apple Business Manager`,
    );
  }
  return value;
}

/**
 * Decrypts an ABM server token with the private key of the certificate uploaded to ABM. Throws
 * AdeInputError: TOKEN_NOT_SMIME, TOKEN_CORRUPT, TOKEN_WRONG_KEY (encrypted to another certificate),
 * TOKEN_CONTENT_INVALID, TOKEN_EXPIRED.
 */
export function decryptServerToken(
  smime: string,
  privateKeyPem: string,
  certificatePem: string,
  now = new Date(),
): AdeServerToken {
  if (smime.length > MAX_SERVER_TOKEN_BYTES) {
    throw new AdeInputError('TOKEN_CORRUPT', 'the server token is too large to be an ABM .p7m file');
  }
  const der = envelopeDer(smime);
  let message: forge.pkcs7.PkcsEnvelopedData;
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')));
    message = forge.pkcs7.messageFromAsn1(asn1) as forge.pkcs7.PkcsEnvelopedData;
  } catch {
    throw new AdeInputError(
      'TOKEN_CORRUPT',
      'the server token is damaged (not a readable CMS message): download it again from Apple Business Manager',
    );
  }
  if (typeof message.findRecipient !== 'function') {
    throw new AdeInputError('TOKEN_CORRUPT', 'the server token is not an encrypted (enveloped) CMS message');
  }
  const recipient = message.findRecipient(forge.pki.certificateFromPem(certificatePem));
  if (!recipient) {
    throw new AdeInputError(
      'TOKEN_WRONG_KEY',
      'this token was encrypted for another certificate: in Apple Business Manager, edit the MDM server, upload the certificate from GET /v1/apple/ade/certificate, then download the token again',
    );
  }
  try {
    message.decrypt(recipient, forge.pki.privateKeyFromPem(privateKeyPem));
  } catch {
    throw new AdeInputError(
      'TOKEN_WRONG_KEY',
      'the server token cannot be decrypted with this server key: upload the certificate from GET /v1/apple/ade/certificate to ABM and download the token again',
    );
  }
  const content = message.content as forge.util.ByteStringBuffer | undefined;
  if (!content) {
    throw new AdeInputError('TOKEN_CORRUPT', 'the server token decrypted to nothing: download it again');
  }
  let json: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(tokenJson(forge.util.decodeUtf8(content.getBytes())));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not an object');
    json = parsed as Record<string, unknown>;
  } catch {
    throw new AdeInputError(
      'TOKEN_CONTENT_INVALID',
      'the decrypted server token is not the JSON ABM writes: download a new token from Apple Business Manager',
    );
  }
  const expiryText = requiredString(json, 'access_token_expiry');
  const accessTokenExpiry = new Date(expiryText);
  if (Number.isNaN(accessTokenExpiry.getTime())) {
    throw new AdeInputError(
      'TOKEN_CONTENT_INVALID',
      `access_token_expiry ${JSON.stringify(expiryText)} is not a date`,
    );
  }
  if (accessTokenExpiry <= now) {
    throw new AdeInputError(
      'TOKEN_EXPIRED',
      `this server token expired on ${accessTokenExpiry.toISOString()}: download a new one from Apple Business Manager`,
    );
  }
  return {
    consumerKey: requiredString(json, 'consumer_key'),
    consumerSecret: requiredString(json, 'consumer_secret'),
    accessToken: requiredString(json, 'access_token'),
    accessSecret: requiredString(json, 'access_secret'),
    accessTokenExpiry,
  };
}
