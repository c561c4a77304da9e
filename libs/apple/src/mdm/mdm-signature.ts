import { X509Certificate, constants, createHash, timingSafeEqual, verify } from 'node:crypto';
import {
  DerError,
  contentBytes,
  expectOctetString,
  expectTag,
  oidValue,
  parseTlv,
  set,
  TAG,
  timeValue,
  tlvBytes,
  type Tlv,
} from '../asn1/der.js';
import { readCertificateFields } from './certificate-fields.js';
import { certificateSha256, type TrustedCertificateCache } from './trusted-certificate-cache.js';

/*
 * Device authentication for the MDM endpoints (check-in and command reports), as NanoMDM does it
 * (reference apple-mdm.md §4):
 *   - `Mdm-Signature` header (the enrollment profile's SignMessage=true): base64 of a *detached*
 *     CMS SignedData over the raw HTTP body, carrying the device identity certificate;
 *   - or the TLS client certificate, forwarded by the TLS-terminating proxy in a header (URL-encoded
 *     PEM as nginx's $ssl_client_escaped_cert, or RFC 9440 `:base64-DER:`).
 * The certificate must chain to one of the tenant's trusted CAs and be valid now.
 *
 * node-forge cannot verify PKCS#7, so the CMS structure is read with a small offset-keeping ASN.1
 * reader (../asn1/der.ts) and the digest and signature are checked with Node's crypto: RSA PKCS#1 v1.5
 * or ECDSA, SHA-1/256/384/512, signed attributes or none.
 *
 * Every refusal is an MdmAuthError. The server answers it with 400, never 401: a 401 on an MDM
 * endpoint makes the phone unenroll (nanomdm http/mdm/mdm_cert.go).
 */

export type MdmAuthErrorCode =
  /** Neither an Mdm-Signature nor a client certificate came with the request. */
  | 'MISSING_SIGNATURE'
  /** The signature header (or client-certificate header) is not readable: bad base64, not CMS SignedData, unsupported algorithm... */
  | 'MALFORMED_SIGNATURE'
  /** The CMS is well formed but does not verify over this body. */
  | 'BAD_SIGNATURE'
  /** The certificate was not issued by a trusted CA (or is not fit for client authentication). */
  | 'UNTRUSTED_CERTIFICATE'
  /** The certificate (or a CA of its chain) is outside its validity period. */
  | 'EXPIRED_CERTIFICATE'
  /** The signature's signingTime is too old, or too far in the future. */
  | 'REPLAYED';

export class MdmAuthError extends Error {
  override readonly name = 'MdmAuthError';
  constructor(
    readonly code: MdmAuthErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  anyExtendedKeyUsage: '2.5.29.37.0',
};

const DIGESTS: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

/** SignerInfo.signatureAlgorithm: the key family and, for the combined OIDs, the hash it implies. */
const SIGNATURE_ALGORITHMS: Record<string, { family: 'rsa' | 'ec'; hash?: string }> = {
  '1.2.840.113549.1.1.1': { family: 'rsa' }, // rsaEncryption (what RFC 5754 / OpenSSL / forge write)
  '1.2.840.113549.1.1.5': { family: 'rsa', hash: 'sha1' },
  '1.2.840.113549.1.1.11': { family: 'rsa', hash: 'sha256' },
  '1.2.840.113549.1.1.12': { family: 'rsa', hash: 'sha384' },
  '1.2.840.113549.1.1.13': { family: 'rsa', hash: 'sha512' },
  '1.2.840.10045.2.1': { family: 'ec' }, // id-ecPublicKey, written by some encoders
  '1.2.840.10045.4.1': { family: 'ec', hash: 'sha1' },
  '1.2.840.10045.4.3.2': { family: 'ec', hash: 'sha256' },
  '1.2.840.10045.4.3.3': { family: 'ec', hash: 'sha384' },
  '1.2.840.10045.4.3.4': { family: 'ec', hash: 'sha512' },
};

/** A Mdm-Signature is a few KiB (one or two certificates); refuse anything absurd before decoding. */
export const MAX_MDM_SIGNATURE_BYTES = 64 * 1024;
const MAX_EMBEDDED_CERTIFICATES = 16;

export interface VerifiedCms {
  /** The certificate whose key made the signature (found among the embedded certificates). */
  signer: X509Certificate;
  /** Every certificate embedded in the CMS, signer included, in their order there. */
  certificates: X509Certificate[];
  /** The signingTime signed attribute, when present. */
  signingTime?: Date;
  /** Node's name for the digest algorithm: sha1, sha256, sha384 or sha512. */
  digestAlgorithm: string;
}

/**
 * Parses a certificate and reads every property used later, so a corrupt one (e.g. an undecodable
 * public key, which X509Certificate only reports when `publicKey` is read) fails here. A certificate
 * already proven trusted comes from `cache`; any other is parsed for this request only.
 */
function readCertificate(input: Buffer, cache?: TrustedCertificateCache): X509Certificate {
  const known = cache?.get(certificateSha256(input));
  if (known) return known;
  const cert = new X509Certificate(input);
  void [cert.publicKey, cert.keyUsage, cert.subject, cert.issuer, cert.validFrom, cert.validTo, cert.ca];
  readCertificateFields(cert.raw);
  return cert;
}

function malformed(message: string): never {
  throw new MdmAuthError('MALFORMED_SIGNATURE', message);
}

interface ParsedSignerInfo {
  sid: Tlv;
  digestAlgorithm: string;
  signedAttributes?: { tlv: Tlv; children: Tlv[] };
  signatureAlgorithm: { family: 'rsa' | 'ec'; hash?: string };
  signature: Buffer;
}

interface ParsedSignedData {
  eContentType: string;
  certificates: X509Certificate[];
  signerInfo: ParsedSignerInfo;
}

/** An INTEGER field holding exactly `expected` (RFC 5652 fixes the CMS versions; see below). */
function expectVersion(tlv: Tlv | undefined, expected: number, what: string): void {
  const value = contentBytes(expectTag(tlv, TAG.INTEGER, what));
  if (value.length !== 1 || value[0] !== expected) malformed(`${what} must be ${expected}`);
}

/** An AlgorithmIdentifier's parameters: absent or NULL, the only encodings these algorithms use. */
function expectNoParameters(algorithm: Tlv, what: string): void {
  const parameters = algorithm.children.slice(1);
  if (parameters.length === 0) return;
  if (parameters.length === 1 && parameters[0].tag === TAG.NULL && contentBytes(parameters[0]).length === 0)
    return;
  malformed(`${what} has unexpected parameters`);
}

/*
 * Strict on the fields the signature does not cover (versions, the digestAlgorithms list, algorithm
 * parameters): otherwise one signed request has many valid encodings, and a replay cache keyed by the
 * signature's hash could be walked around by re-encoding it (found by the fast-check properties).
 */
function parseSignedData(der: Buffer, cache?: TrustedCertificateCache): ParsedSignedData {
  const [contentTypeTlv, wrapped] = expectTag(parseTlv(der), TAG.SEQUENCE, 'ContentInfo').children;
  if (oidValue(contentTypeTlv, 'contentType') !== OID.signedData) {
    malformed('the signature is a CMS ContentInfo but not SignedData');
  }
  const [signedDataTlv] = expectTag(wrapped, 0xa0, 'ContentInfo.content').children;
  const fields = expectTag(signedDataTlv, TAG.SEQUENCE, 'SignedData').children;
  // version, digestAlgorithms, encapContentInfo, [0] certificates, [1] crls, signerInfos
  const digestAlgorithms = expectTag(fields[1], TAG.SET, 'SignedData.digestAlgorithms').children;
  const encap = expectTag(fields[2], TAG.SEQUENCE, 'EncapsulatedContentInfo').children;
  const eContentType = oidValue(encap[0], 'eContentType');
  // An eContent, if present, is ignored: the signature is checked against the HTTP body.
  let i = 3;
  const certificates: X509Certificate[] = [];
  const certificateSet = fields[i];
  if (certificateSet?.tag === 0xa0) {
    for (const choice of certificateSet.children) {
      // CertificateChoices: only plain X.509 certificates (a SEQUENCE); phones send nothing else.
      if (choice.tag !== TAG.SEQUENCE) malformed('an embedded certificate is not an X.509 certificate');
      if (certificates.length >= MAX_EMBEDDED_CERTIFICATES) malformed('too many embedded certificates');
      try {
        certificates.push(readCertificate(tlvBytes(choice), cache));
      } catch {
        malformed('an embedded certificate is not a readable X.509 certificate');
      }
    }
    i += 1;
  }
  if (fields[i]?.tag === 0xa1) i += 1; // [1] crls
  const signerInfos = expectTag(fields[i], TAG.SET, 'SignedData.signerInfos').children;
  if (signerInfos.length !== 1) {
    malformed(`the signature must have exactly one signer, it has ${signerInfos.length}`);
  }
  if (fields.length !== i + 1) malformed('unexpected fields after SignedData.signerInfos');

  const info = expectTag(signerInfos[0], TAG.SEQUENCE, 'SignerInfo').children;
  const sid = info[1];
  if (sid === undefined) malformed('SignerInfo.sid is missing');
  // RFC 5652 §5.3 and §5.1: SignerInfo v1 with issuerAndSerialNumber, v3 with subjectKeyIdentifier;
  // SignedData v3 when a signer is v3 or the content is not id-data, else v1.
  const signerVersion = sid.tag === TAG.SEQUENCE ? 1 : 3;
  expectVersion(info[0], signerVersion, 'SignerInfo.version');
  expectVersion(fields[0], signerVersion === 3 || eContentType !== OID.data ? 3 : 1, 'SignedData.version');
  const digestAlgorithmTlv = expectTag(info[2], TAG.SEQUENCE, 'SignerInfo.digestAlgorithm');
  expectNoParameters(digestAlgorithmTlv, 'SignerInfo.digestAlgorithm');
  if (digestAlgorithms.length !== 1 || !tlvBytes(digestAlgorithms[0]).equals(tlvBytes(digestAlgorithmTlv))) {
    malformed('SignedData.digestAlgorithms must list exactly the signer’s digest algorithm');
  }
  const digestOid = oidValue(digestAlgorithmTlv.children[0], 'digestAlgorithm');
  const digestAlgorithm = DIGESTS[digestOid];
  if (digestAlgorithm === undefined) malformed(`unsupported digest algorithm ${digestOid}`);
  let j = 3;
  let signedAttributes: ParsedSignerInfo['signedAttributes'];
  const signedAttributesTlv = info[j];
  if (signedAttributesTlv?.tag === 0xa0) {
    signedAttributes = { tlv: signedAttributesTlv, children: signedAttributesTlv.children };
    j += 1;
  }
  const signatureAlgorithmTlv = expectTag(info[j], TAG.SEQUENCE, 'SignerInfo.signatureAlgorithm');
  expectNoParameters(signatureAlgorithmTlv, 'SignerInfo.signatureAlgorithm');
  const signatureOid = oidValue(signatureAlgorithmTlv.children[0], 'signatureAlgorithm');
  const signatureAlgorithm = SIGNATURE_ALGORITHMS[signatureOid];
  if (signatureAlgorithm === undefined) malformed(`unsupported signature algorithm ${signatureOid}`);
  const signature = expectOctetString(info[j + 1], 'SignerInfo.signature');
  return {
    eContentType,
    certificates,
    signerInfo: { sid, digestAlgorithm, signedAttributes, signatureAlgorithm, signature },
  };
}

/** Finds the signer among the embedded certificates by issuer + serial number, or by subject key identifier. */
function findSigner(sid: Tlv, certificates: X509Certificate[]): X509Certificate {
  let matches: (cert: X509Certificate) => boolean;
  if (sid.tag === TAG.SEQUENCE) {
    const [issuer, serial] = sid.children;
    const issuerBytes = tlvBytes(expectTag(issuer, TAG.SEQUENCE, 'issuer'));
    const serialBytes = contentBytes(expectTag(serial, TAG.INTEGER, 'serialNumber'));
    matches = (cert) => {
      const fields = readCertificateFields(cert.raw);
      return fields.issuer.equals(issuerBytes) && fields.serial.equals(serialBytes);
    };
  } else if (sid.tag === 0x80) {
    const ski = contentBytes(sid);
    matches = (cert) => readCertificateFields(cert.raw).subjectKeyIdentifier?.equals(ski) === true;
  } else {
    malformed('SignerInfo.sid is neither IssuerAndSerialNumber nor SubjectKeyIdentifier');
  }
  const signer = certificates.find(matches);
  if (signer === undefined) {
    malformed('the signer certificate is not embedded in the signature');
  }
  return signer;
}

function verifySignature(
  hash: string,
  family: 'rsa' | 'ec',
  data: Buffer,
  signer: X509Certificate,
  signature: Buffer,
): boolean {
  const key = signer.publicKey;
  if (key.asymmetricKeyType !== family) return false;
  try {
    return family === 'rsa'
      ? verify(hash, data, { key, padding: constants.RSA_PKCS1_PADDING }, signature)
      : verify(hash, data, { key, dsaEncoding: 'der' }, signature);
  } catch {
    return false;
  }
}

/**
 * Verifies a detached CMS SignedData (DER, or BER with indefinite lengths) over `content`. With
 * signed attributes: the messageDigest attribute must equal the content's digest and the signature
 * covers the DER `SET OF` of the attributes; without: the signature covers the content. The signer
 * is looked up among the embedded certificates. This checks the signature only, not trust in the
 * certificate: see authenticateMdmRequest(). Throws MdmAuthError MALFORMED_SIGNATURE or BAD_SIGNATURE.
 * `cache` only supplies certificates proven trusted before; nothing is added to it here.
 */
export function verifyDetachedCms(
  signatureDer: Buffer,
  content: Buffer,
  cache?: TrustedCertificateCache,
): VerifiedCms {
  if (!Buffer.isBuffer(signatureDer) || !Buffer.isBuffer(content)) {
    throw new TypeError('verifyDetachedCms expects Buffers');
  }
  if (signatureDer.length === 0) malformed('the signature is empty');
  if (signatureDer.length > MAX_MDM_SIGNATURE_BYTES) {
    malformed(`the signature is larger than ${MAX_MDM_SIGNATURE_BYTES} bytes`);
  }
  let parsed: ParsedSignedData;
  let signer: X509Certificate;
  try {
    parsed = parseSignedData(signatureDer, cache);
    signer = findSigner(parsed.signerInfo.sid, parsed.certificates);
  } catch (error) {
    if (error instanceof MdmAuthError) throw error;
    if (error instanceof DerError)
      malformed(`the signature is not a readable CMS SignedData: ${error.message}`);
    malformed('the signature is not a readable CMS SignedData');
  }
  const { digestAlgorithm, signedAttributes, signatureAlgorithm, signature } = parsed.signerInfo;
  const signatureHash = signatureAlgorithm.hash ?? digestAlgorithm;
  const digest = createHash(digestAlgorithm).update(content).digest();

  if (signedAttributes === undefined) {
    if (!verifySignature(signatureHash, signatureAlgorithm.family, content, signer, signature)) {
      throw new MdmAuthError('BAD_SIGNATURE', 'the signature does not verify over the request body');
    }
    return { signer, certificates: parsed.certificates, digestAlgorithm };
  }

  let messageDigest: Buffer | undefined;
  let contentType: string | undefined;
  let signingTime: Date | undefined;
  try {
    const seen = new Set<string>();
    for (const attribute of signedAttributes.children) {
      const [typeTlv, valuesTlv] = expectTag(attribute, TAG.SEQUENCE, 'Attribute').children;
      const type = oidValue(typeTlv, 'Attribute.attrType');
      if (seen.has(type)) malformed(`signed attribute ${type} appears twice`);
      seen.add(type);
      const values = expectTag(valuesTlv, TAG.SET, 'Attribute.attrValues').children;
      if (type === OID.messageDigest || type === OID.contentType || type === OID.signingTime) {
        if (values.length !== 1) malformed(`signed attribute ${type} must have exactly one value`);
      }
      if (type === OID.messageDigest) messageDigest = expectOctetString(values[0], 'messageDigest');
      else if (type === OID.contentType) contentType = oidValue(values[0], 'contentType');
      else if (type === OID.signingTime) signingTime = timeValue(values[0], 'signingTime');
    }
  } catch (error) {
    if (error instanceof MdmAuthError) throw error;
    malformed(`the signed attributes are not readable: ${(error as Error).message}`);
  }
  if (messageDigest === undefined || contentType === undefined) {
    malformed('the signed attributes must include contentType and messageDigest (RFC 5652 §5.3)');
  }
  if (contentType !== parsed.eContentType) {
    malformed('the contentType signed attribute does not match the encapsulated content type');
  }
  if (messageDigest.length !== digest.length || !timingSafeEqual(messageDigest, digest)) {
    throw new MdmAuthError(
      'BAD_SIGNATURE',
      'the request body does not match the signature (messageDigest differs): the body was altered',
    );
  }

  // The signature covers the DER encoding of the attributes as a SET OF (tag 0x31), not the
  // [0] IMPLICIT (0xA0) form they are carried in (RFC 5652 §5.4).
  const attributeBytes = signedAttributes.children.map(tlvBytes);
  const asSent = set(...attributeBytes);
  let valid = verifySignature(signatureHash, signatureAlgorithm.family, asSent, signer, signature);
  if (!valid) {
    // A signer that did not sort the SET OF may still have signed its DER (sorted) form.
    const sorted = [...attributeBytes].sort(Buffer.compare);
    if (sorted.some((bytes, k) => bytes !== attributeBytes[k])) {
      valid = verifySignature(signatureHash, signatureAlgorithm.family, set(...sorted), signer, signature);
    }
  }
  if (!valid)
    throw new MdmAuthError('BAD_SIGNATURE', 'the signature does not verify with the signer certificate');
  return { signer, certificates: parsed.certificates, signingTime, digestAlgorithm };
}

// ---------------------------------------------------------------------------------------------
// Request authentication
// ---------------------------------------------------------------------------------------------

export interface AuthenticateMdmRequestOptions {
  /** The raw HTTP body, exactly as received. */
  body: Buffer;
  /** The `Mdm-Signature` header value (base64 of the detached CMS). */
  mdmSignature?: string;
  /**
   * The device's TLS client certificate as forwarded by the TLS-terminating proxy: PEM, URL-encoded
   * PEM (nginx `$ssl_client_escaped_cert`), or RFC 9440 `:base64-DER:`.
   */
  clientCertificatePem?: string;
  /** The CAs that issue device identity certificates (each string may hold several PEM blocks). */
  trustedCaPems: string[];
  /** Default: now. */
  now?: Date;
  /** Default 300: a signingTime further than this from `now` (either way) is refused as a replay. */
  maxSignatureAgeSeconds?: number;
  /**
   * Certificates proven trusted by earlier requests (one per process); without it every request
   * parses and checks its certificate anew. Only certificates that chain to `trustedCaPems` go in.
   */
  cache?: TrustedCertificateCache;
}

export interface AuthenticatedMdmRequest {
  /** The device identity certificate. */
  certificate: X509Certificate;
  /** SHA-256 of the certificate DER, lower-case hex without colons (NanoMDM's HashCert). */
  fingerprintSha256: string;
  /** Where the certificate came from. */
  source: 'mdm-signature' | 'client-certificate';
  /** The CMS signingTime, when the request was signed and the signature carries one. */
  signingTime?: Date;
  /**
   * For a signed request: SHA-256 over the certificate, the body and the signing time, i.e. what
   * makes two requests the same signed request. Re-encoding the CMS, or ECDSA's malleable
   * signatures, cannot change it; replay detection keys on it.
   */
  signedRequestSha256?: string;
}

export const DEFAULT_MAX_SIGNATURE_AGE_SECONDS = 300;

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeBase64Strict(text: string): Buffer | undefined {
  const compact = text.replace(/\s+/g, '');
  if (compact.length === 0 || compact.length % 4 !== 0 || !BASE64.test(compact)) return undefined;
  return Buffer.from(compact, 'base64');
}

/** Every certificate in a PEM text; the base64 is re-read, so spaces in place of newlines are fine. */
function certificatesFromPem(pem: string, cache?: TrustedCertificateCache): X509Certificate[] {
  const out: X509Certificate[] = [];
  for (const match of pem.matchAll(PEM_BLOCK)) {
    const der = decodeBase64Strict(match[1]);
    if (der === undefined) throw new Error('bad base64 in a PEM block');
    out.push(readCertificate(der, cache));
  }
  return out;
}

function parseClientCertificateHeader(value: string, cache?: TrustedCertificateCache): X509Certificate {
  let text = value.trim();
  try {
    if (/^:[A-Za-z0-9+/=\s]+:$/.test(text)) {
      // RFC 9440 Client-Cert: a byte sequence, `:base64(DER):`.
      const der = decodeBase64Strict(text.slice(1, -1));
      if (der === undefined) throw new Error('bad base64');
      return readCertificate(der, cache);
    }
    if (text.includes('%')) text = decodeURIComponent(text);
    const [leaf] = certificatesFromPem(text, cache);
    if (leaf === undefined) throw new Error('no PEM certificate');
    return leaf;
  } catch {
    throw new MdmAuthError(
      'MALFORMED_SIGNATURE',
      'the client certificate header is not a readable certificate (expected PEM, URL-encoded PEM or :base64-DER:)',
    );
  }
}

function describeName(name: string): string {
  return name.split('\n').filter(Boolean).join(', ') || '(empty name)';
}

function describe(cert: X509Certificate): string {
  return describeName(cert.subject);
}

function issuedBy(child: X509Certificate, parent: X509Certificate): boolean {
  try {
    return child.checkIssued(parent) && child.verify(parent.publicKey);
  } catch {
    return false;
  }
}

function checkValidity(cert: X509Certificate, now: Date, what: string): void {
  const notBefore = new Date(cert.validFrom);
  const notAfter = new Date(cert.validTo);
  if (now < notBefore) {
    throw new MdmAuthError(
      'EXPIRED_CERTIFICATE',
      `${what} (${describe(cert)}) is not valid before ${notBefore.toISOString()}`,
    );
  }
  if (now > notAfter) {
    throw new MdmAuthError(
      'EXPIRED_CERTIFICATE',
      `${what} (${describe(cert)}) expired on ${notAfter.toISOString()}`,
    );
  }
}

/**
 * Checks that `leaf` chains to one of `anchors` (directly, or through CA certificates among
 * `intermediates`), that every certificate on the way is valid at `now`, and that the leaf may be
 * used for client authentication (no extendedKeyUsage, or one including clientAuth, as Go's
 * x509.Verify with ExtKeyUsageClientAuth requires). A leaf issued directly by an anchor is
 * remembered in `cache` (with that anchor), so its issuer's signature is checked once per process.
 */
function checkTrust(
  leaf: X509Certificate,
  leafSha256: string,
  intermediates: X509Certificate[],
  anchors: X509Certificate[],
  now: Date,
  cache?: TrustedCertificateCache,
): void {
  const usages = leaf.keyUsage as string[] | undefined;
  if (usages !== undefined && !usages.includes(OID.clientAuth) && !usages.includes(OID.anyExtendedKeyUsage)) {
    throw new MdmAuthError(
      'UNTRUSTED_CERTIFICATE',
      `the device certificate (${describe(leaf)}) is not allowed for client authentication (extendedKeyUsage)`,
    );
  }
  const provenAnchor = cache && anchors.find((ca) => cache.issuedBy(leafSha256, ca.fingerprint256));
  if (provenAnchor) {
    checkValidity(leaf, now, 'the device certificate');
    checkValidity(provenAnchor, now, 'the issuing CA certificate');
    return;
  }
  let current = leaf;
  const used = new Set<string>([leaf.fingerprint256]);
  for (let depth = 0; depth < 6; depth += 1) {
    const anchor = anchors.find((ca) => issuedBy(current, ca));
    if (anchor !== undefined) {
      checkValidity(leaf, now, 'the device certificate');
      for (const cert of [...intermediates.filter((c) => used.has(c.fingerprint256)), anchor]) {
        checkValidity(cert, now, 'the issuing CA certificate');
      }
      if (depth === 0) cache?.rememberTrusted(leafSha256, leaf, anchor.fingerprint256);
      return;
    }
    const next = intermediates.find(
      (cert) => cert.ca && !used.has(cert.fingerprint256) && issuedBy(current, cert),
    );
    if (next === undefined) break;
    used.add(next.fingerprint256);
    current = next;
  }
  throw new MdmAuthError(
    'UNTRUSTED_CERTIFICATE',
    `the device certificate (${describe(leaf)}, issuer ${describeName(leaf.issuer)}) was not issued by a trusted CA`,
  );
}

function signedRequestSha256(certificateSha256Hex: string, body: Buffer, signingTime?: Date): string {
  const bodySha256 = createHash('sha256').update(body).digest('hex');
  return createHash('sha256')
    .update(`${certificateSha256Hex}\n${bodySha256}\n${signingTime?.toISOString() ?? 'no signing time'}`)
    .digest('hex');
}

/**
 * Authenticates a request to the MDM endpoints. With an `Mdm-Signature`, the detached CMS must
 * verify over `body` (and its signingTime, if any, be within maxSignatureAgeSeconds of `now`);
 * otherwise the proxy-forwarded client certificate is used. If both are given they must name the
 * same certificate. The certificate must be issued by one of `trustedCaPems` (CA certificates;
 * intermediates embedded in the CMS are followed) and valid at `now`.
 * Throws MdmAuthError; the caller answers 400 whatever the code (never 401).
 */
export function authenticateMdmRequest(options: AuthenticateMdmRequestOptions): AuthenticatedMdmRequest {
  const now = options.now ?? new Date();
  const maxAge = options.maxSignatureAgeSeconds ?? DEFAULT_MAX_SIGNATURE_AGE_SECONDS;
  if (!Buffer.isBuffer(options.body)) throw new TypeError('authenticateMdmRequest: body must be a Buffer');

  let anchors: X509Certificate[];
  try {
    const parseAnchors = (pem: string) => certificatesFromPem(pem).filter((cert) => cert.ca);
    anchors = options.trustedCaPems.flatMap((pem) =>
      options.cache ? options.cache.anchorsFor(pem, parseAnchors) : parseAnchors(pem),
    );
  } catch {
    throw new TypeError('authenticateMdmRequest: trustedCaPems holds an unreadable certificate');
  }

  const header = options.mdmSignature?.trim();
  const clientHeader = options.clientCertificatePem?.trim();
  let certificate: X509Certificate;
  let intermediates: X509Certificate[] = [];
  let signingTime: Date | undefined;
  let source: AuthenticatedMdmRequest['source'];

  if (header) {
    if (header.length > Math.ceil(MAX_MDM_SIGNATURE_BYTES / 3) * 4 + 1024) {
      malformed(`the Mdm-Signature header is larger than ${MAX_MDM_SIGNATURE_BYTES} bytes`);
    }
    const der = decodeBase64Strict(header);
    if (der === undefined) malformed('the Mdm-Signature header is not valid base64');
    const verified = verifyDetachedCms(der, options.body, options.cache);
    certificate = verified.signer;
    intermediates = verified.certificates.filter((cert) => cert !== verified.signer);
    signingTime = verified.signingTime;
    source = 'mdm-signature';
    if (clientHeader) {
      const tlsCertificate = parseClientCertificateHeader(clientHeader, options.cache);
      if (!tlsCertificate.raw.equals(certificate.raw)) {
        throw new MdmAuthError(
          'UNTRUSTED_CERTIFICATE',
          'the Mdm-Signature signer is not the TLS client certificate of the same request',
        );
      }
    }
    if (signingTime !== undefined) {
      const skewSeconds = (now.getTime() - signingTime.getTime()) / 1000;
      if (skewSeconds > maxAge) {
        throw new MdmAuthError(
          'REPLAYED',
          `the signature was made at ${signingTime.toISOString()}, more than ${maxAge} s ago: refused as a replay`,
        );
      }
      if (-skewSeconds > maxAge) {
        throw new MdmAuthError(
          'REPLAYED',
          `the signature claims ${signingTime.toISOString()}, more than ${maxAge} s in the future: refused`,
        );
      }
    }
  } else if (clientHeader) {
    certificate = parseClientCertificateHeader(clientHeader, options.cache);
    source = 'client-certificate';
  } else {
    throw new MdmAuthError(
      'MISSING_SIGNATURE',
      'the request carries neither an Mdm-Signature header nor a client certificate',
    );
  }

  if (anchors.length === 0) {
    throw new MdmAuthError(
      'UNTRUSTED_CERTIFICATE',
      'no trusted CA certificate is configured for this tenant',
    );
  }
  const fingerprintSha256 = certificateSha256(certificate.raw);
  checkTrust(certificate, fingerprintSha256, intermediates, anchors, now, options.cache);
  return {
    certificate,
    fingerprintSha256,
    source,
    ...(signingTime === undefined ? {} : { signingTime }),
    ...(source === 'mdm-signature'
      ? { signedRequestSha256: signedRequestSha256(fingerprintSha256, options.body, signingTime) }
      : {}),
  };
}
