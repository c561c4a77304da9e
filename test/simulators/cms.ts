import {
  constants,
  createCipheriv,
  createDecipheriv,
  createHash,
  createPublicKey,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  sign,
  verify,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import forge from 'node-forge';
import {
  TAG,
  child,
  contextTag,
  derNull,
  expectTag,
  integer,
  octetString,
  oid,
  parseDer,
  readOctets,
  readOid,
  sequence,
  setOf,
  tlv,
  type DerNode,
} from './der.js';

/*
 * The CMS (RFC 5652) pieces a phone needs: verify an attached SignedData (a signed .mobileconfig,
 * a SCEP CertRep), build a SignedData with arbitrary signed attributes (a SCEP PKCSReq), and
 * build/open an EnvelopedData (SCEP's pkcsPKIEnvelope, encrypted profiles). Signatures and
 * ciphers are Node's; node-forge is only used for single DES, which OpenSSL 3 no longer offers.
 */

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
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  aes128Cbc: '2.16.840.1.101.3.4.1.2',
  aes192Cbc: '2.16.840.1.101.3.4.1.22',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
  desEde3Cbc: '1.2.840.113549.3.7',
  desCbc: '1.3.14.3.2.7',
  keyUsage: '2.5.29.15',
  basicConstraints: '2.5.29.19',
} as const;

const DIGESTS: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
  '1.2.840.113549.2.5': 'md5',
};
const DIGEST_OIDS: Record<string, string> = Object.fromEntries(
  Object.entries(DIGESTS).map(([key, value]) => [value, key]),
);

/** Signature algorithms: the digest they imply, if any (rsaEncryption takes SignerInfo's digest). */
const SIGNATURE_ALGORITHMS: Record<string, string | null> = {
  [OID.rsaEncryption]: null,
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.2.1': null, // id-ecPublicKey, as some signers write it
  '1.2.840.10045.4.1': 'sha1',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};

export class CmsError extends Error {
  override readonly name = 'CmsError';
}

// ---------------------------------------------------------------------------------------------
// Certificates

/** issuer Name and serialNumber of a certificate, as their DER bytes. */
export function certificateIssuerAndSerial(certDer: Uint8Array): { issuer: Buffer; serial: Buffer } {
  const cert = parseDer(certDer, 'certificate');
  const tbs = child(cert, 0, TAG.SEQUENCE, 'certificate');
  const offset = tbs.children[0]?.tag === 0xa0 ? 1 : 0;
  return {
    serial: child(tbs, offset, TAG.INTEGER, 'certificate serial').raw,
    issuer: child(tbs, offset + 2, TAG.SEQUENCE, 'certificate issuer').raw,
  };
}

export function issuerAndSerialNumber(certDer: Uint8Array): Buffer {
  const { issuer, serial } = certificateIssuerAndSerial(certDer);
  return sequence(issuer, serial);
}

export function certificateDerFromPem(pem: string): Buffer {
  return new X509Certificate(pem).raw;
}

export function derToPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;
}

// ---------------------------------------------------------------------------------------------
// SignedData: parsing and verification

export interface SignerInfoView {
  /** DER of the SignerIdentifier (IssuerAndSerialNumber SEQUENCE, or [0] SubjectKeyIdentifier). */
  sid: DerNode;
  digestAlgorithm: string;
  /** The `[0] IMPLICIT` signed attributes element as sent, if any. */
  signedAttrsRaw?: Buffer;
  /** Signed attributes by OID: the values of each attribute's SET. */
  signedAttrs: Map<string, DerNode[]>;
  signatureAlgorithm: string;
  signature: Buffer;
}

export interface SignedDataView {
  contentType: string;
  /** The encapsulated content; undefined when detached (or absent, as in a SCEP FAILURE reply). */
  content?: Buffer;
  /** Embedded certificates (DER), in the order they were sent. */
  certificates: Buffer[];
  signers: SignerInfoView[];
}

/**
 * Parses a ContentInfo holding a SignedData (structure only; see verifySignedData). A "degenerate"
 * SignedData (certificates only, no signer) is accepted only with `certificatesOnly`.
 */
export function parseSignedData(
  input: Uint8Array,
  what = 'CMS SignedData',
  certificatesOnly = false,
): SignedDataView {
  const contentInfo = expectTag(parseDer(input, what), TAG.SEQUENCE, what);
  const type = readOid(child(contentInfo, 0, TAG.OID, what));
  if (type !== OID.signedData) throw new CmsError(`${what}: content type is ${type}, not signedData`);
  const signedData = child(child(contentInfo, 1, 0xa0, what), 0, TAG.SEQUENCE, what);
  const fields = signedData.children;
  // version, digestAlgorithms, encapContentInfo, [0] certificates?, [1] crls?, signerInfos
  const encap = child(signedData, 2, TAG.SEQUENCE, `${what} encapContentInfo`);
  const contentType = readOid(child(encap, 0, TAG.OID, what));
  let content: Buffer | undefined;
  if (encap.children[1] !== undefined) {
    const explicit = child(encap, 1, 0xa0, `${what} eContent`);
    content = readOctets(child(explicit, 0, undefined, `${what} eContent`));
  }
  const certificates: Buffer[] = [];
  let index = 3;
  if (fields[index]?.tag === 0xa0) {
    for (const cert of fields[index].children) if (cert.tag === TAG.SEQUENCE) certificates.push(cert.raw);
    index += 1;
  }
  if (fields[index]?.tag === 0xa1) index += 1;
  const signerInfos = child(signedData, index, TAG.SET, `${what} signerInfos`);
  const signers = signerInfos.children.map((info): SignerInfoView => {
    const parts = info.children;
    let at = 1;
    const sid = child(info, at++, undefined, `${what} SignerInfo`);
    const digestAlgorithm = readOid(child(child(info, at++, TAG.SEQUENCE, what), 0, TAG.OID, what));
    let signedAttrsRaw: Buffer | undefined;
    const signedAttrs = new Map<string, DerNode[]>();
    if (parts[at]?.tag === 0xa0) {
      signedAttrsRaw = parts[at].raw;
      for (const attr of parts[at].children) {
        const type = readOid(child(attr, 0, TAG.OID, `${what} attribute`));
        signedAttrs.set(type, child(attr, 1, TAG.SET, `${what} attribute`).children);
      }
      at += 1;
    }
    const signatureAlgorithm = readOid(child(child(info, at++, TAG.SEQUENCE, what), 0, TAG.OID, what));
    const signature = readOctets(child(info, at, undefined, `${what} signature`));
    return { sid, digestAlgorithm, signedAttrsRaw, signedAttrs, signatureAlgorithm, signature };
  });
  if (signers.length === 0 && !certificatesOnly) throw new CmsError(`${what} has no signer`);
  return { contentType, content, certificates, signers };
}

function findSignerCertificate(signer: SignerInfoView, candidates: Buffer[]): Buffer | undefined {
  if (signer.sid.tag === TAG.SEQUENCE) {
    const issuer = signer.sid.children[0]?.raw;
    const serial = signer.sid.children[1]?.raw;
    return candidates.find((der) => {
      try {
        const ids = certificateIssuerAndSerial(der);
        return (
          issuer !== undefined &&
          serial !== undefined &&
          ids.issuer.equals(issuer) &&
          ids.serial.equals(serial)
        );
      } catch {
        return false;
      }
    });
  }
  if (signer.sid.tag === 0x80) {
    // [0] SubjectKeyIdentifier
    return candidates.find((der) => subjectKeyIdentifier(der)?.equals(signer.sid.content) ?? false);
  }
  return undefined;
}

/** The subjectKeyIdentifier extension value of a certificate, if present. */
function subjectKeyIdentifier(certDer: Buffer): Buffer | undefined {
  try {
    return readSubjectKeyIdentifier(certDer);
  } catch {
    return undefined;
  }
}

function readSubjectKeyIdentifier(certDer: Buffer): Buffer | undefined {
  const tbs = child(parseDer(certDer, 'certificate'), 0, TAG.SEQUENCE, 'certificate');
  const extensions = tbs.children.find((node) => node.tag === 0xa3);
  for (const ext of extensions?.children[0]?.children ?? []) {
    if (readOid(ext.children[0]) === '2.5.29.14') {
      const value = readOctets(ext.children[ext.children.length - 1]);
      return readOctets(parseDer(value, 'subjectKeyIdentifier'));
    }
  }
  return undefined;
}

export interface VerifiedSignedData extends SignedDataView {
  /** The signer's certificate (first signer). */
  signerCertificate: X509Certificate;
}

/**
 * Verifies every SignerInfo: the signer certificate is found among the embedded certificates (or
 * `extraCertificates`), the messageDigest attribute matches the content, and the signature over
 * the signed attributes (or over the content when there are none) verifies with its public key.
 * Trust in the signer is NOT evaluated (a phone shows such a profile as "Not Verified" but installs it).
 */
export function verifySignedData(
  input: Uint8Array | SignedDataView,
  options: { detachedContent?: Uint8Array; extraCertificates?: Buffer[]; what?: string } = {},
): VerifiedSignedData {
  const what = options.what ?? 'CMS SignedData';
  const parsed = input instanceof Uint8Array ? parseSignedData(input, what) : input;
  const content =
    options.detachedContent !== undefined
      ? Buffer.from(options.detachedContent)
      : (parsed.content ?? Buffer.alloc(0));
  const candidates = [...parsed.certificates, ...(options.extraCertificates ?? [])];
  let first: X509Certificate | undefined;
  for (const [i, signer] of parsed.signers.entries()) {
    const certDer = findSignerCertificate(signer, candidates);
    if (certDer === undefined)
      throw new CmsError(`${what}: the certificate of signer #${i + 1} is not embedded`);
    const cert = new X509Certificate(certDer);
    const digestName = DIGESTS[signer.digestAlgorithm];
    if (digestName === undefined) {
      throw new CmsError(`${what}: unsupported digest algorithm ${signer.digestAlgorithm}`);
    }
    if (!(signer.signatureAlgorithm in SIGNATURE_ALGORITHMS)) {
      throw new CmsError(`${what}: unsupported signature algorithm ${signer.signatureAlgorithm}`);
    }
    const signatureDigest = SIGNATURE_ALGORITHMS[signer.signatureAlgorithm] ?? digestName;
    let signedBytes: Buffer;
    if (signer.signedAttrsRaw !== undefined) {
      const digestAttr = signer.signedAttrs.get(OID.messageDigest)?.[0];
      if (digestAttr === undefined) throw new CmsError(`${what}: signed attributes lack messageDigest`);
      const expected = createHash(digestName).update(content).digest();
      if (!readOctets(digestAttr).equals(expected)) {
        throw new CmsError(`${what}: messageDigest does not match the content (content altered?)`);
      }
      const typeAttr = signer.signedAttrs.get(OID.contentType)?.[0];
      if (typeAttr !== undefined && readOid(typeAttr) !== parsed.contentType) {
        throw new CmsError(`${what}: contentType attribute does not match eContentType`);
      }
      // RFC 5652 §5.4: the signature covers the attributes re-tagged as an explicit SET OF.
      signedBytes = Buffer.concat([Buffer.from([TAG.SET]), signer.signedAttrsRaw.subarray(1)]);
    } else {
      signedBytes = content;
    }
    let ok: boolean;
    try {
      ok = verify(signatureDigest, signedBytes, cert.publicKey, signer.signature);
    } catch (error) {
      throw new CmsError(`${what}: signature check failed: ${(error as Error).message}`);
    }
    if (!ok)
      throw new CmsError(
        `${what}: the signature of signer #${i + 1} (${cert.subject.replace(/\n/g, ', ')}) is invalid`,
      );
    first ??= cert;
  }
  return { ...parsed, signerCertificate: first as X509Certificate };
}

// ---------------------------------------------------------------------------------------------
// SignedData: building (with arbitrary signed attributes, e.g. SCEP's)

export interface SignedAttribute {
  type: string;
  /** DER of the single attribute value. */
  value: Buffer;
}

export function attribute(type: string, value: Buffer): Buffer {
  return sequence(oid(type), setOf(value));
}

export interface BuildSignedDataOptions {
  content: Uint8Array;
  certificateDer: Buffer;
  privateKey: KeyObject;
  /** sha256 (default), sha1, sha384, sha512. */
  digest?: string;
  /** Added after contentType and messageDigest. */
  attributes?: SignedAttribute[];
  detached?: boolean;
  extraCertificates?: Buffer[];
  /** false: no signed attributes, the signature covers the content itself (RFC 5652 §5.4). */
  signedAttributes?: boolean;
}

/** A DER ContentInfo(SignedData) with one RSA signer identified by issuer and serial number. */
export function buildSignedData(options: BuildSignedDataOptions): Buffer {
  const digest = options.digest ?? 'sha256';
  const digestOid = DIGEST_OIDS[digest];
  if (digestOid === undefined) throw new CmsError(`unsupported digest ${digest}`);
  const digestAlgorithm = sequence(oid(digestOid), derNull());
  const content = Buffer.from(options.content);
  const signedAttrs = [
    attribute(OID.contentType, oid(OID.data)),
    attribute(OID.messageDigest, octetString(createHash(digest).update(content).digest())),
    ...(options.attributes ?? []).map((attr) => attribute(attr.type, attr.value)),
  ];
  const attrsSet = setOf(...signedAttrs);
  const withAttributes = options.signedAttributes !== false;
  const signature = sign(digest, withAttributes ? attrsSet : content, options.privateKey);
  const signerInfo = sequence(
    integer(1),
    issuerAndSerialNumber(options.certificateDer),
    digestAlgorithm,
    ...(withAttributes ? [Buffer.concat([Buffer.from([0xa0]), attrsSet.subarray(1)])] : []), // [0] IMPLICIT
    sequence(oid(OID.rsaEncryption), derNull()),
    octetString(signature),
  );
  const encap = options.detached
    ? sequence(oid(OID.data))
    : sequence(oid(OID.data), contextTag(0, octetString(content)));
  const signedData = sequence(
    integer(1),
    setOf(digestAlgorithm),
    encap,
    contextTag(0, [options.certificateDer, ...(options.extraCertificates ?? [])]),
    setOf(signerInfo),
  );
  return sequence(oid(OID.signedData), contextTag(0, signedData));
}

// ---------------------------------------------------------------------------------------------
// EnvelopedData

export type ContentCipher = 'aes-256-cbc' | 'aes-128-cbc' | 'des-ede3-cbc';

const CIPHERS: Record<ContentCipher, { oid: string; keyLength: number; ivLength: number }> = {
  'aes-256-cbc': { oid: OID.aes256Cbc, keyLength: 32, ivLength: 16 },
  'aes-128-cbc': { oid: OID.aes128Cbc, keyLength: 16, ivLength: 16 },
  'des-ede3-cbc': { oid: OID.desEde3Cbc, keyLength: 24, ivLength: 8 },
};

/** EnvelopedData (ContentInfo) for one RSA recipient (key transport, PKCS#1 v1.5), content type data. */
export function buildEnvelopedData(
  content: Uint8Array,
  recipientCertDer: Buffer,
  cipher: ContentCipher,
): Buffer {
  const spec = CIPHERS[cipher];
  const key = randomBytes(spec.keyLength);
  const iv = randomBytes(spec.ivLength);
  const encipher = createCipheriv(cipher, key, iv);
  const encrypted = Buffer.concat([encipher.update(content), encipher.final()]);
  const recipientKey = new X509Certificate(recipientCertDer).publicKey;
  if (recipientKey.asymmetricKeyType !== 'rsa') {
    throw new CmsError(
      `the recipient certificate has a ${recipientKey.asymmetricKeyType} key; only RSA is supported`,
    );
  }
  const encryptedKey = publicEncrypt({ key: recipientKey, padding: constants.RSA_PKCS1_PADDING }, key);
  const recipientInfo = sequence(
    integer(0),
    issuerAndSerialNumber(recipientCertDer),
    sequence(oid(OID.rsaEncryption), derNull()),
    octetString(encryptedKey),
  );
  const encryptedContentInfo = sequence(
    oid(OID.data),
    sequence(oid(spec.oid), octetString(iv)),
    tlv(0x80, encrypted), // [0] IMPLICIT OCTET STRING
  );
  const envelopedData = sequence(integer(0), setOf(recipientInfo), encryptedContentInfo);
  return sequence(oid(OID.envelopedData), contextTag(0, envelopedData));
}

/**
 * RSA PKCS#1 v1.5 decryption. Node refuses RSA_PKCS1_PADDING for private decryption
 * (CVE-2023-46809), so the raw RSA operation is done natively and the padding removed here
 * (a Bleichenbacher oracle is not a concern for a test simulator).
 */
function rsaPkcs1Decrypt(privateKey: KeyObject, data: Buffer): Buffer {
  const block = privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, data);
  if (block[0] !== 0x00 || block[1] !== 0x02)
    throw new CmsError('RSA decryption failed (bad PKCS#1 padding)');
  const separator = block.indexOf(0x00, 2);
  if (separator < 10) throw new CmsError('RSA decryption failed (bad PKCS#1 padding)');
  return block.subarray(separator + 1);
}

function decryptContent(algorithm: string, key: Buffer, iv: Buffer, data: Buffer): Buffer {
  const native: Record<string, string> = {
    [OID.aes128Cbc]: 'aes-128-cbc',
    [OID.aes192Cbc]: 'aes-192-cbc',
    [OID.aes256Cbc]: 'aes-256-cbc',
    [OID.desEde3Cbc]: 'des-ede3-cbc',
  };
  const name = native[algorithm];
  if (name !== undefined) {
    const decipher = createDecipheriv(name, key, iv);
    return Buffer.concat([decipher.update(data), decipher.final()]);
  }
  if (algorithm === OID.desCbc) {
    // Single DES is in OpenSSL 3's legacy provider only: use node-forge.
    const decipher = forge.cipher.createDecipher('DES-CBC', forge.util.createBuffer(key.toString('binary')));
    decipher.start({ iv: forge.util.createBuffer(iv.toString('binary')) });
    decipher.update(forge.util.createBuffer(data.toString('binary')));
    if (!decipher.finish()) throw new CmsError('DES-CBC decryption failed (bad padding)');
    return Buffer.from(decipher.output.getBytes(), 'binary');
  }
  throw new CmsError(`unsupported content encryption algorithm ${algorithm}`);
}

export interface OpenedEnvelope {
  content: Buffer;
  contentEncryptionAlgorithm: string;
}

/** Decrypts an EnvelopedData (ContentInfo) addressed to `privateKey` (RSA key transport recipients). */
export function openEnvelopedData(
  input: Uint8Array,
  privateKey: KeyObject,
  what = 'CMS EnvelopedData',
): OpenedEnvelope {
  const contentInfo = expectTag(parseDer(input, what), TAG.SEQUENCE, what);
  const type = readOid(child(contentInfo, 0, TAG.OID, what));
  if (type !== OID.envelopedData) throw new CmsError(`${what}: content type is ${type}, not envelopedData`);
  const enveloped = child(child(contentInfo, 1, 0xa0, what), 0, TAG.SEQUENCE, what);
  let at = 1;
  if (enveloped.children[at]?.tag === 0xa0) at += 1; // originatorInfo
  const recipientInfos = child(enveloped, at, TAG.SET, `${what} recipientInfos`);
  const encryptedContentInfo = child(enveloped, at + 1, TAG.SEQUENCE, `${what} encryptedContentInfo`);
  const algorithm = child(encryptedContentInfo, 1, TAG.SEQUENCE, what);
  const algorithmOid = readOid(child(algorithm, 0, TAG.OID, what));
  const iv = readOctets(child(algorithm, 1, undefined, `${what} IV`));
  const encryptedNode = child(encryptedContentInfo, 2, undefined, `${what} encryptedContent`);
  const encrypted =
    encryptedNode.tag === 0x80
      ? Buffer.from(encryptedNode.content)
      : Buffer.concat(encryptedNode.children.map(readOctets)); // [0] constructed (BER)
  const errors: string[] = [];
  for (const info of recipientInfos.children) {
    if (info.tag !== TAG.SEQUENCE) continue; // only KeyTransRecipientInfo
    const encryptedKey = readOctets(info.children[info.children.length - 1]);
    try {
      const key = rsaPkcs1Decrypt(privateKey, encryptedKey);
      return {
        content: decryptContent(algorithmOid, key, iv, encrypted),
        contentEncryptionAlgorithm: algorithmOid,
      };
    } catch (error) {
      errors.push((error as Error).message);
    }
  }
  throw new CmsError(
    `${what}: no recipient could be decrypted with this key (${errors.join('; ') || 'no RSA recipient'})`,
  );
}

export function publicKeyDer(key: KeyObject | X509Certificate): Buffer {
  const publicKey =
    key instanceof X509Certificate ? key.publicKey : key.type === 'private' ? createPublicKey(key) : key;
  return publicKey.export({ type: 'spki', format: 'der' });
}
