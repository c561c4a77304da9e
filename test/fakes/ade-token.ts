import { X509Certificate } from 'node:crypto';
import { buildEnvelopedData } from '../simulators/cms.js';
import type { FakeAdeCredentials } from './fake-ade.js';

export interface ServerTokenOptions {
  /** Default: a year from now, as ABM issues them. */
  expiry?: Date;
  /** Wrap the JSON in -----BEGIN MESSAGE----- markers, as the real fixture does (default true). */
  markers?: boolean;
  /** Replace the JSON (corrupt-content tests). */
  json?: string;
}

/**
 * The `.p7m` Apple Business Manager lets an administrator download (apple-ade.md §1.2-1.3): the
 * OAuth JSON in a MIME text part, in a CMS EnvelopedData (AES-128-CBC, RSA PKCS#1 v1.5) for the
 * uploaded certificate, as base64 under the four S/MIME headers. Built with the simulators' own CMS
 * code, not with the library Rempart decrypts with.
 */
export function buildServerTokenP7m(
  certificatePem: string,
  credentials: FakeAdeCredentials,
  options: ServerTokenOptions = {},
): string {
  const expiry = options.expiry ?? new Date(Date.now() + 365 * 24 * 60 * 60 * 1000);
  const json =
    options.json ??
    JSON.stringify({
      consumer_key: credentials.consumerKey,
      consumer_secret: credentials.consumerSecret,
      access_token: credentials.accessToken,
      access_secret: credentials.accessSecret,
      access_token_expiry: expiry.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
  const markers = options.markers ?? true;
  const inner = [
    'Content-Type: text/plain;charset=UTF-8',
    'Content-Transfer-Encoding: 7bit',
    '',
    ...(markers ? ['-----BEGIN MESSAGE-----', json, '-----END MESSAGE-----'] : [json]),
    '',
  ].join('\r\n');
  const envelope = buildEnvelopedData(
    Buffer.from(inner, 'utf8'),
    new X509Certificate(certificatePem).raw,
    'aes-128-cbc',
  );
  const base64 = envelope.toString('base64').replace(/(.{76})/g, '$1\r\n');
  return [
    'Content-Type: application/pkcs7-mime; name="smime.p7m"; smime-type=enveloped-data',
    'Content-Transfer-Encoding: base64',
    'Content-Disposition: attachment; filename="smime.p7m"',
    'Content-Description: S/MIME Encrypted Message',
    '',
    base64,
    '',
  ].join('\r\n');
}
