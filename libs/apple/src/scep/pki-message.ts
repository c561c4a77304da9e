import { createHash, sign, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { digestFromOid, OID, signatureHash, type HashName } from './algorithms.js';
import {
  readCertificateFields,
  subjectKeyIdentifierOf,
  type CertificateFields,
} from './certificate-fields.js';
import {
  algorithmIdentifier,
  contentBytes,
  DerError,
  derSetOf,
  expectOctetString,
  expectTag,
  explicit,
  implicit,
  integer,
  integerMagnitude,
  NULL,
  octetString,
  oid,
  oidValue,
  parseTlv,
  retag,
  sequence,
  set,
  smallInteger,
  stringValue,
  TAG,
  time,
  tlvBytes,
  type Tlv,
} from '../asn1/der.js';

/*
 * The SCEP pkiMessage (RFC 8894 §3.2): CMS SignedData whose signed attributes carry the SCEP
 * fields and whose content is the (encrypted) pkcsPKIEnvelope.
 */

export interface PkiMessageSigner {
  /** From the SignerIdentifier: issuer + serial, or a subject key identifier. */
  issuerDer?: Buffer;
  serialMagnitude?: Buffer;
  subjectKeyIdentifier?: Buffer;
  digestOid: string;
  signatureOid: string;
  signature: Buffer;
  /** The signed attributes re-tagged as the SET OF that the signature covers. */
  signedAttributesDer: Buffer;
  /** The certificate from the message's `certificates` that the identifier names, if any. */
  certificate?: X509Certificate;
  certificateFields?: CertificateFields;
}

export interface PkiMessage {
  eContentType: string;
  /** The encapsulated content (the DER of the pkcsPKIEnvelope), absent in detached or empty messages. */
  content?: Buffer;
  certificates: X509Certificate[];
  signer: PkiMessageSigner;
  /** Signed attribute values by OID (each attribute's SET members). */
  attributes: Map<string, Tlv[]>;
}

function singleValue(message: PkiMessage, type: string): Tlv | undefined {
  const values = message.attributes.get(type);
  if (values === undefined) return undefined;
  if (values.length !== 1) throw new DerError(`attribute ${type} must have exactly one value`);
  return values[0];
}

/** A SCEP string attribute (messageType, pkiStatus, failInfo, transactionID); any string type is accepted. */
export function stringAttribute(
  message: PkiMessage,
  type: string,
): { value: string; der: Buffer } | undefined {
  const value = singleValue(message, type);
  if (value === undefined) return undefined;
  const text = stringValue(value);
  if (text === undefined) throw new DerError(`attribute ${type} is not a string`);
  return { value: text, der: tlvBytes(value) };
}

/** A SCEP OCTET STRING attribute (senderNonce, recipientNonce). */
export function octetAttribute(message: PkiMessage, type: string): Buffer | undefined {
  const value = singleValue(message, type);
  return value === undefined ? undefined : expectOctetString(value, type);
}

function readSigner(info: Tlv): Omit<PkiMessageSigner, 'certificate' | 'certificateFields'> {
  const fields = [...expectTag(info, TAG.SEQUENCE, 'SignerInfo').children];
  smallInteger(expectTag(fields.shift(), TAG.INTEGER, 'SignerInfo.version'));
  const sid = fields.shift();
  let identifier: Pick<PkiMessageSigner, 'issuerDer' | 'serialMagnitude' | 'subjectKeyIdentifier'>;
  if (sid?.tag === TAG.SEQUENCE) {
    identifier = {
      issuerDer: tlvBytes(expectTag(sid.children[0], TAG.SEQUENCE, 'signer issuer')),
      serialMagnitude: integerMagnitude(expectTag(sid.children[1], TAG.INTEGER, 'signer serial')),
    };
  } else if (sid?.tag === 0x80) {
    identifier = { subjectKeyIdentifier: contentBytes(sid) };
  } else {
    throw new DerError('unsupported SignerIdentifier');
  }
  const digestOid = oidValue(expectTag(fields.shift(), TAG.SEQUENCE, 'digestAlgorithm').children[0]);
  const attrs = fields[0]?.tag === 0xa0 ? fields.shift() : undefined;
  if (attrs === undefined) throw new DerError('the pkiMessage has no signed attributes');
  const signatureOid = oidValue(expectTag(fields.shift(), TAG.SEQUENCE, 'signatureAlgorithm').children[0]);
  const signature = expectOctetString(fields.shift(), 'signature');
  return {
    ...identifier,
    digestOid,
    signatureOid,
    signature,
    signedAttributesDer: retag(attrs, TAG.SET),
  };
}

function readAttributes(signedAttributesDer: Buffer): Map<string, Tlv[]> {
  const attributes = new Map<string, Tlv[]>();
  for (const attribute of parseTlv(signedAttributesDer).children) {
    const [type, values] = expectTag(attribute, TAG.SEQUENCE, 'Attribute').children;
    const id = oidValue(type);
    if (attributes.has(id)) throw new DerError(`duplicate signed attribute ${id}`);
    attributes.set(id, expectTag(values, TAG.SET, 'attribute values').children);
  }
  return attributes;
}

function findSignerCertificate(
  signer: Omit<PkiMessageSigner, 'certificate' | 'certificateFields'>,
  candidates: { certificate: X509Certificate; fields: CertificateFields }[],
): { certificate: X509Certificate; fields: CertificateFields } | undefined {
  return candidates.find(({ fields }) =>
    signer.subjectKeyIdentifier !== undefined
      ? subjectKeyIdentifierOf(fields).equals(signer.subjectKeyIdentifier)
      : fields.issuerDer.equals(signer.issuerDer!) && fields.serialMagnitude.equals(signer.serialMagnitude!),
  );
}

/** Parses a pkiMessage (DER or BER ContentInfo → SignedData with one SignerInfo). Throws DerError when malformed. */
export function parsePkiMessage(der: Buffer): PkiMessage {
  const contentInfo = expectTag(parseTlv(der), TAG.SEQUENCE, 'ContentInfo');
  if (oidValue(contentInfo.children[0]) !== OID.signedData)
    throw new DerError('the message is not CMS SignedData');
  const signedData = expectTag(
    expectTag(contentInfo.children[1], 0xa0, 'ContentInfo.content').children[0],
    TAG.SEQUENCE,
    'SignedData',
  );
  const fields = [...signedData.children];
  smallInteger(expectTag(fields.shift(), TAG.INTEGER, 'SignedData.version'));
  expectTag(fields.shift(), TAG.SET, 'digestAlgorithms');
  const encapsulated = expectTag(fields.shift(), TAG.SEQUENCE, 'encapContentInfo');
  const eContentType = oidValue(encapsulated.children[0]);
  const eContent = encapsulated.children[1];
  const content =
    eContent === undefined
      ? undefined
      : expectOctetString(expectTag(eContent, 0xa0, 'eContent').children[0], 'eContent');
  const certificateSet = fields[0]?.tag === 0xa0 ? fields.shift() : undefined;
  if (fields[0]?.tag === 0xa1) fields.shift(); // crls
  const signerInfos = expectTag(fields.shift(), TAG.SET, 'signerInfos');
  if (signerInfos.children.length === 0) throw new DerError('the message has no signer');

  const candidates: { certificate: X509Certificate; fields: CertificateFields }[] = [];
  for (const item of certificateSet?.children ?? []) {
    if (item.tag !== TAG.SEQUENCE) continue; // attribute certificates and other choices
    try {
      const bytes = Buffer.from(tlvBytes(item));
      const certificate = new X509Certificate(bytes);
      void certificate.publicKey; // throws now, not later, when the key does not decode
      candidates.push({ certificate, fields: readCertificateFields(bytes) });
    } catch {
      // an unreadable extra certificate is ignored; a missing signer certificate is reported later
    }
  }
  const signer = readSigner(signerInfos.children[0]);
  const found = findSignerCertificate(signer, candidates);
  return {
    eContentType,
    content,
    certificates: candidates.map(({ certificate }) => certificate),
    signer: { ...signer, certificate: found?.certificate, certificateFields: found?.fields },
    attributes: readAttributes(signer.signedAttributesDer),
  };
}

/**
 * Checks the signer's signature over the signed attributes and the messageDigest/contentType
 * attributes against the content. `publicKey` defaults to the embedded signer certificate's.
 * Returns a reason on failure.
 */
export function verifyPkiMessage(
  message: PkiMessage,
  publicKey: KeyObject | undefined = message.signer.certificate?.publicKey,
): { ok: true; hash: HashName } | { ok: false; reason: string; unsupportedAlgorithm?: boolean } {
  const { signer } = message;
  if (publicKey === undefined) return { ok: false, reason: 'the signer certificate is not in the message' };
  const digest = digestFromOid(signer.digestOid);
  const hash = signatureHash(signer.signatureOid, signer.digestOid);
  if (digest === undefined || hash === undefined) {
    return {
      ok: false,
      reason: `unsupported signature algorithm ${signer.signatureOid} / ${signer.digestOid}`,
      unsupportedAlgorithm: true,
    };
  }
  let expectedDigest: Buffer | undefined;
  let contentType: string | undefined;
  try {
    expectedDigest = octetAttribute(message, OID.messageDigest);
    const type = singleValue(message, OID.contentType);
    contentType = type === undefined ? undefined : oidValue(type);
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
  if (expectedDigest === undefined) return { ok: false, reason: 'the messageDigest attribute is missing' };
  if (contentType !== undefined && contentType !== message.eContentType) {
    return { ok: false, reason: 'the contentType attribute does not match the content' };
  }
  const actualDigest = createHash(digest)
    .update(message.content ?? Buffer.alloc(0))
    .digest();
  if (!actualDigest.equals(expectedDigest))
    return { ok: false, reason: 'the messageDigest does not match the content' };
  let valid: boolean;
  try {
    valid = verify(hash, signer.signedAttributesDer, publicKey, signer.signature);
  } catch {
    valid = false;
  }
  return valid ? { ok: true, hash: digest } : { ok: false, reason: 'the signature does not verify' };
}

export function attribute(type: string, ...values: Buffer[]): Buffer {
  return sequence(oid(type), set(...values));
}

export interface SignPkiMessageOptions {
  signerCertificate: CertificateFields;
  privateKey: KeyObject;
  hash?: HashName;
  /** The encapsulated content; an empty OCTET STRING when undefined (as pkcs7 libraries write a CertRep FAILURE). */
  content?: Buffer;
  /** Attributes besides contentType, signingTime and messageDigest (already encoded with attribute()). */
  attributes: Buffer[];
  /** DER certificates for the `certificates` field (the signer's is added when missing). */
  certificates?: Buffer[];
  signingTime: Date;
}

/** Builds and signs a pkiMessage (SignedData with signed attributes), returned as a DER ContentInfo. */
export function signPkiMessage(options: SignPkiMessageOptions): Buffer {
  const hash = options.hash ?? 'sha256';
  const content = options.content ?? Buffer.alloc(0);
  const digest = createHash(hash).update(content).digest();
  const digestAlgorithm = algorithmIdentifier(
    {
      sha1: OID.sha1,
      sha224: OID.sha224,
      sha256: OID.sha256,
      sha384: OID.sha384,
      sha512: OID.sha512,
    }[hash],
  );
  const attributes = [
    attribute(OID.contentType, oid(OID.data)),
    attribute(OID.signingTime, time(options.signingTime)),
    attribute(OID.messageDigest, octetString(digest)),
    ...options.attributes,
  ];
  const signedAttributes = derSetOf(attributes);
  const signature = sign(hash, signedAttributes, options.privateKey);
  const signer = options.signerCertificate;
  const signerInfo = sequence(
    integer(1),
    sequence(signer.issuerDer, signer.serialDer),
    digestAlgorithm,
    derSetOf(attributes, 0xa0),
    algorithmIdentifier(OID.rsaEncryption, NULL),
    octetString(signature),
  );
  const certificates = [...(options.certificates ?? [])];
  if (!certificates.some((der) => der.equals(signer.der))) certificates.push(signer.der);
  const signedData = sequence(
    integer(1),
    set(digestAlgorithm),
    sequence(oid(OID.data), explicit(0, octetString(content))),
    implicit(0, true, certificates),
    set(signerInfo),
  );
  return sequence(oid(OID.signedData), explicit(0, signedData));
}

/** A "degenerate" certificates-only SignedData (RFC 8894 §3.4), as a DER ContentInfo. */
export function degenerateCertificates(certificates: Buffer[]): Buffer {
  const signedData = sequence(
    integer(1),
    set(),
    sequence(oid(OID.data)),
    implicit(0, true, certificates),
    set(),
  );
  return sequence(oid(OID.signedData), explicit(0, signedData));
}

/** The certificates of a degenerate (or any) SignedData, as DER. */
export function certificatesOf(der: Buffer): Buffer[] {
  const contentInfo = expectTag(parseTlv(der), TAG.SEQUENCE, 'ContentInfo');
  if (oidValue(contentInfo.children[0]) !== OID.signedData) throw new DerError('not CMS SignedData');
  const signedData = expectTag(
    expectTag(contentInfo.children[1], 0xa0, 'ContentInfo.content').children[0],
    TAG.SEQUENCE,
    'SignedData',
  );
  const certificateSet = signedData.children.find((child) => child.tag === 0xa0);
  return (certificateSet?.children ?? [])
    .filter((item) => item.tag === TAG.SEQUENCE)
    .map((item) => Buffer.from(tlvBytes(item)));
}
