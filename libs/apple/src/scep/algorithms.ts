import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import forge from 'node-forge';

/** Object identifiers used by SCEP (RFC 8894), CMS (RFC 5652), PKCS#10 and X.509. */
export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  envelopedData: '1.2.840.113549.1.7.3',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  challengePassword: '1.2.840.113549.1.9.7',
  extensionRequest: '1.2.840.113549.1.9.14',

  rsaEncryption: '1.2.840.113549.1.1.1',
  rsaesOaep: '1.2.840.113549.1.1.7',
  mgf1: '1.2.840.113549.1.1.8',
  rsassaPss: '1.2.840.113549.1.1.10',
  md5WithRsa: '1.2.840.113549.1.1.4',
  sha1WithRsa: '1.2.840.113549.1.1.5',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  sha384WithRsa: '1.2.840.113549.1.1.12',
  sha512WithRsa: '1.2.840.113549.1.1.13',
  sha224WithRsa: '1.2.840.113549.1.1.14',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSha1: '1.2.840.10045.4.1',
  ecdsaWithSha224: '1.2.840.10045.4.3.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  ecdsaWithSha512: '1.2.840.10045.4.3.4',

  md5: '1.2.840.113549.2.5',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  sha224: '2.16.840.1.101.3.4.2.4',

  desCbc: '1.3.14.3.2.7',
  desEde3Cbc: '1.2.840.113549.3.7',
  aes128Cbc: '2.16.840.1.101.3.4.1.2',
  aes192Cbc: '2.16.840.1.101.3.4.1.22',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',

  scepMessageType: '2.16.840.1.113733.1.9.2',
  scepPkiStatus: '2.16.840.1.113733.1.9.3',
  scepFailInfo: '2.16.840.1.113733.1.9.4',
  scepSenderNonce: '2.16.840.1.113733.1.9.5',
  scepRecipientNonce: '2.16.840.1.113733.1.9.6',
  scepTransactionId: '2.16.840.1.113733.1.9.7',

  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

export type HashName = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

const DIGESTS: Record<string, HashName> = {
  [OID.sha1]: 'sha1',
  [OID.sha224]: 'sha224',
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};

/** Signature algorithm → the hash it implies (undefined: rsaEncryption / unknown, use the digest algorithm). */
const SIGNATURE_HASHES: Record<string, HashName> = {
  [OID.sha1WithRsa]: 'sha1',
  [OID.sha224WithRsa]: 'sha224',
  [OID.sha256WithRsa]: 'sha256',
  [OID.sha384WithRsa]: 'sha384',
  [OID.sha512WithRsa]: 'sha512',
  [OID.ecdsaWithSha1]: 'sha1',
  [OID.ecdsaWithSha224]: 'sha224',
  [OID.ecdsaWithSha256]: 'sha256',
  [OID.ecdsaWithSha384]: 'sha384',
  [OID.ecdsaWithSha512]: 'sha512',
};

/** MD5 and unknown digests are refused (undefined). */
export function digestFromOid(oid: string): HashName | undefined {
  return DIGESTS[oid];
}

export function digestOid(hash: HashName): string {
  return { sha1: OID.sha1, sha224: OID.sha224, sha256: OID.sha256, sha384: OID.sha384, sha512: OID.sha512 }[
    hash
  ];
}

/**
 * The hash for a (signatureAlgorithm, digestAlgorithm) pair as found in a CMS SignerInfo or a
 * PKCS#10 request; undefined when unsupported (MD5, RSASSA-PSS, unknown).
 */
export function signatureHash(signatureOid: string, digestOidValue?: string): HashName | undefined {
  const implied = SIGNATURE_HASHES[signatureOid];
  if (implied !== undefined) return implied;
  if ((signatureOid === OID.rsaEncryption || signatureOid === OID.ecPublicKey) && digestOidValue) {
    return digestFromOid(digestOidValue);
  }
  return undefined;
}

export type ContentCipherName = 'aes-128-cbc' | 'aes-192-cbc' | 'aes-256-cbc' | 'des-ede3-cbc' | 'des-cbc';

export interface ContentCipher {
  name: ContentCipherName;
  oid: string;
  keyLength: number;
  ivLength: number;
}

export const CONTENT_CIPHERS: Record<ContentCipherName, ContentCipher> = {
  'aes-128-cbc': { name: 'aes-128-cbc', oid: OID.aes128Cbc, keyLength: 16, ivLength: 16 },
  'aes-192-cbc': { name: 'aes-192-cbc', oid: OID.aes192Cbc, keyLength: 24, ivLength: 16 },
  'aes-256-cbc': { name: 'aes-256-cbc', oid: OID.aes256Cbc, keyLength: 32, ivLength: 16 },
  'des-ede3-cbc': { name: 'des-ede3-cbc', oid: OID.desEde3Cbc, keyLength: 24, ivLength: 8 },
  // Single DES: only decrypted (micromdm's scepclient 2.x still encrypts requests with it). Never used for replies.
  'des-cbc': { name: 'des-cbc', oid: OID.desCbc, keyLength: 8, ivLength: 8 },
};

export function contentCipherFromOid(oid: string): ContentCipher | undefined {
  return Object.values(CONTENT_CIPHERS).find((cipher) => cipher.oid === oid);
}

function stripPkcs7Padding(data: Buffer, blockSize: number): Buffer {
  const pad = data.length > 0 ? data[data.length - 1] : 0;
  let bad = data.length === 0 || data.length % blockSize !== 0 || pad === 0 || pad > blockSize ? 1 : 0;
  for (let i = 1; i <= blockSize && i <= data.length; i++) {
    if (i <= pad && data[data.length - i] !== pad) bad = 1;
  }
  if (bad) throw new Error('bad padding');
  return data.subarray(0, data.length - pad);
}

/** Decrypts CMS content (CBC, PKCS#7 padding); throws on a wrong key or corrupt data. */
export function decryptContent(cipher: ContentCipher, key: Buffer, iv: Buffer, data: Buffer): Buffer {
  if (key.length !== cipher.keyLength || iv.length !== cipher.ivLength)
    throw new Error('bad key or IV length');
  if (cipher.name === 'des-cbc') {
    // OpenSSL 3 only offers single DES in its legacy provider, which Node does not load: forge does it.
    const decipher = forge.cipher.createDecipher('DES-CBC', forge.util.createBuffer(key.toString('binary')));
    decipher.start({ iv: forge.util.createBuffer(iv.toString('binary')) });
    decipher.update(forge.util.createBuffer(data.toString('binary')));
    // A no-op padding hook (missing from @types/node-forge), so the strict check below is the only one.
    const finish = decipher.finish.bind(decipher) as unknown as (pad: () => boolean) => boolean;
    if (!finish(() => true)) throw new Error('bad ciphertext length');
    return stripPkcs7Padding(Buffer.from(decipher.output.getBytes(), 'binary'), 8);
  }
  const decipher = createDecipheriv(cipher.name, key, iv);
  return Buffer.concat([decipher.update(data), decipher.final()]);
}

export function encryptContent(
  cipher: ContentCipher,
  content: Buffer,
): { key: Buffer; iv: Buffer; ciphertext: Buffer } {
  if (cipher.name === 'des-cbc') throw new Error('single DES is not used for encryption');
  const key = randomBytes(cipher.keyLength);
  const iv = randomBytes(cipher.ivLength);
  const encryptor = createCipheriv(cipher.name, key, iv);
  return { key, iv, ciphertext: Buffer.concat([encryptor.update(content), encryptor.final()]) };
}
