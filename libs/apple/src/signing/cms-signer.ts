import { createHash, sign, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import {
  buildChain,
  describeName,
  parseCertificate,
  parseDer,
  parseRsaPrivateKey,
  readTbsFields,
  splitPemCertificates,
} from '../pki/certificates.js';
import { SigningIdentityError } from '../pki/signing-identity-error.js';

/*
 * CMS SignedData (RFC 5652) as Apple expects for a signed .mobileconfig: attached content, SHA-256,
 * one signer identified by issuer + serial number, signed attributes contentType, signingTime and
 * messageDigest, and the signer certificate plus its chain in `certificates`. This is what
 * `openssl cms -sign -md sha256 -nodetach -outform DER` writes.
 *
 * The ASN.1 is built with node-forge; the RSA signature over the DER of the signed attributes is
 * computed by Node's native crypto (forge.pkcs7 would sign in pure JavaScript, ~100x slower).
 * Everything that does not depend on the content (certificates, signer identifier, algorithm
 * identifiers) is prepared once in the constructor.
 */

const { asn1 } = forge;
const { Class, Type } = asn1;

const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  sha256: '2.16.840.1.101.3.4.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
};

export interface CmsSignerOptions {
  certificatePem: string;
  privateKeyPem: string;
  /** Intermediate / root certificates to embed (any order; each string may hold several PEM blocks). */
  chainPem?: string[];
}

function oid(value: string): forge.asn1.Asn1 {
  return asn1.create(Class.UNIVERSAL, Type.OID, false, asn1.oidToDer(value).getBytes());
}

function sequence(items: forge.asn1.Asn1[]): forge.asn1.Asn1 {
  return asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, items);
}

function set(items: forge.asn1.Asn1[]): forge.asn1.Asn1 {
  return asn1.create(Class.UNIVERSAL, Type.SET, true, items);
}

function explicit(tag: number, item: forge.asn1.Asn1): forge.asn1.Asn1 {
  return asn1.create(Class.CONTEXT_SPECIFIC, tag, true, [item]);
}

function der(node: forge.asn1.Asn1): string {
  return asn1.toDer(node).getBytes();
}

function fromDer(bytes: string): forge.asn1.Asn1 {
  return parseDer(bytes, { strict: true, decodeBitStrings: false });
}

/** DER orders the members of a SET OF by their encodings (X.690 §11.6); OpenSSL re-encodes signed attributes that way before verifying. */
function derSetOf(items: forge.asn1.Asn1[]): { node: forge.asn1.Asn1; sortedDer: string[] } {
  const encoded = items
    .map(der)
    .sort((a, b) => Buffer.compare(Buffer.from(a, 'binary'), Buffer.from(b, 'binary')));
  return { node: set(encoded.map(fromDer)), sortedDer: encoded };
}

/** RFC 5652 §11.3: UTCTime from 1950 to 2049, GeneralizedTime otherwise. */
function signingTimeValue(date: Date): forge.asn1.Asn1 {
  const year = date.getUTCFullYear();
  return year >= 1950 && year < 2050
    ? asn1.create(Class.UNIVERSAL, Type.UTCTIME, false, asn1.dateToUtcTime(date))
    : asn1.create(Class.UNIVERSAL, Type.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(date));
}

function attribute(type: string, value: forge.asn1.Asn1): forge.asn1.Asn1 {
  return sequence([oid(type), set([value])]);
}

export class CmsSigner {
  private readonly key: KeyObject;
  // Content-independent parts, built once (forge's toDer never mutates a node, so they are reused).
  /** The `[0] IMPLICIT CertificateSet` field. */
  private readonly certificates: forge.asn1.Asn1;
  private readonly signerIdentifier: forge.asn1.Asn1;
  private readonly digestAlgorithm: forge.asn1.Asn1;
  private readonly signatureAlgorithm: forge.asn1.Asn1;

  /** Throws SigningIdentityError when the key is unusable, does not match the certificate, or the chain does not fit. */
  constructor(options: CmsSignerOptions) {
    const [leafPem, ...restPem] = splitPemCertificates(options.certificatePem ?? '');
    if (leafPem === undefined)
      throw new SigningIdentityError('INVALID_CERTIFICATE', 'certificatePem contains no PEM certificate');
    const leaf = parseCertificate(leafPem, 'the signing certificate');
    this.key = parseRsaPrivateKey(options.privateKeyPem, 'the signing private key');
    if (!leaf.checkPrivateKey(this.key)) {
      throw new SigningIdentityError(
        'KEY_MISMATCH',
        `the private key does not belong to the certificate ${describeName(leaf.subject)}`,
      );
    }
    const others = [...restPem, ...(options.chainPem ?? []).flatMap(splitPemCertificates)]
      .map((pem, i) => parseCertificate(pem, `chain certificate #${i + 1}`))
      .filter((cert) => cert.fingerprint256 !== leaf.fingerprint256);
    const chain = buildChain(leaf, others, true);

    // Certificates: signer first, then its issuers (the order people read them in). The field is not
    // covered by the signature and verifiers look certificates up by issuer + serial, so order is free.
    const certificateNodes = [leaf, ...chain].map((cert) => fromDer(cert.raw.toString('binary')));
    this.certificates = asn1.create(Class.CONTEXT_SPECIFIC, 0, true, certificateNodes);
    for (const [i, cert] of [leaf, ...chain].entries()) {
      // forge must re-encode each certificate byte for byte, or the embedded copy would not verify.
      if (der(certificateNodes[i]) !== cert.raw.toString('binary')) {
        throw new SigningIdentityError(
          'INVALID_CERTIFICATE',
          `certificate ${describeName(cert.subject)} is not in canonical DER`,
        );
      }
    }
    const { issuer, serialNumber } = readTbsFields(leaf.raw);
    this.signerIdentifier = sequence([issuer, serialNumber]);
    // SHA-256 AlgorithmIdentifier without parameters (RFC 5754 §2), as OpenSSL writes it.
    this.digestAlgorithm = sequence([oid(OID.sha256)]);
    this.signatureAlgorithm = sequence([
      oid(OID.rsaEncryption),
      asn1.create(Class.UNIVERSAL, Type.NULL, false, ''),
    ]);
  }

  /** Signs `content`; returns the DER ContentInfo (a signed .mobileconfig when content is a profile). */
  sign(content: Uint8Array, signingTime: Date = new Date()): Buffer {
    return this.build(content, signingTime, false);
  }

  /**
   * A detached signature over `content` (the content itself is left out), as an MDM client sends in
   * its `Mdm-Signature` header.
   */
  signDetached(content: Uint8Array, signingTime: Date = new Date()): Buffer {
    return this.build(content, signingTime, true);
  }

  private build(content: Uint8Array, signingTime: Date, detached: boolean): Buffer {
    if (Number.isNaN(signingTime.getTime())) throw new TypeError('signingTime is not a valid Date');
    const digest = createHash('sha256').update(content).digest();

    const attributes = derSetOf([
      attribute(OID.contentType, oid(OID.data)),
      attribute(OID.signingTime, signingTimeValue(signingTime)),
      attribute(
        OID.messageDigest,
        asn1.create(Class.UNIVERSAL, Type.OCTETSTRING, false, digest.toString('binary')),
      ),
    ]);
    // The signature covers the attributes encoded as an explicit SET OF (RFC 5652 §5.4)...
    const signature = sign('sha256', Buffer.from(der(attributes.node), 'binary'), this.key);
    // ...while SignerInfo carries them as [0] IMPLICIT.
    const signedAttrs = asn1.create(Class.CONTEXT_SPECIFIC, 0, true, attributes.sortedDer.map(fromDer));

    const signerInfo = sequence([
      asn1.create(Class.UNIVERSAL, Type.INTEGER, false, asn1.integerToDer(1).getBytes()),
      this.signerIdentifier,
      this.digestAlgorithm,
      signedAttrs,
      this.signatureAlgorithm,
      asn1.create(Class.UNIVERSAL, Type.OCTETSTRING, false, signature.toString('binary')),
    ]);
    const encapContentInfo = detached
      ? sequence([oid(OID.data)])
      : sequence([
          oid(OID.data),
          explicit(
            0,
            asn1.create(Class.UNIVERSAL, Type.OCTETSTRING, false, Buffer.from(content).toString('binary')),
          ),
        ]);
    const signedData = sequence([
      asn1.create(Class.UNIVERSAL, Type.INTEGER, false, asn1.integerToDer(1).getBytes()),
      set([this.digestAlgorithm]),
      encapContentInfo,
      this.certificates,
      set([signerInfo]),
    ]);
    return Buffer.from(der(sequence([oid(OID.signedData), explicit(0, signedData)])), 'binary');
  }
}
