import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { OID, signatureHash } from './algorithms.js';
import { readName, type NameAttribute } from './distinguished-name.js';
import {
  contentBytes,
  DerError,
  expectTag,
  oidValue,
  parseTlv,
  smallInteger,
  stringValue,
  TAG,
  tlvBytes,
} from '../asn1/der.js';

/** A PKCS#10 CertificationRequest (RFC 2986), read from its DER. */
export interface CertificationRequest {
  der: Buffer;
  pem: string;
  /** The exact DER of the subject Name (copied into the issued certificate as is). */
  subjectDer: Buffer;
  /** RFC 4514-style, e.g. "CN=device,O=Rempart". */
  subject: string;
  subjectAttributes: NameAttribute[];
  subjectPublicKeyInfoDer: Buffer;
  publicKey: KeyObject;
  publicKeyPem: string;
  /** 'rsa', 'ec', ... as Node names it. */
  keyType: string;
  /** RSA modulus length in bits. */
  keyBits?: number;
  challengePassword?: string;
  /** The OIDs of the extensions the requester asked for (extensionRequest), for information. */
  requestedExtensions: string[];
  /** The CertificationRequestInfo as signed. */
  infoDer: Buffer;
  signatureOid: string;
  signature: Buffer;
}

function toPem(der: Buffer, label: string): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** Parses a DER PKCS#10 request; throws DerError when it is malformed. The signature is not checked here. */
export function parseCertificationRequest(der: Buffer): CertificationRequest {
  const request = expectTag(parseTlv(der), TAG.SEQUENCE, 'CertificationRequest');
  const [info, algorithm, signatureBits] = request.children;
  expectTag(info, TAG.SEQUENCE, 'CertificationRequestInfo');
  if (info.indefinite) throw new DerError('CertificationRequestInfo must be DER');
  const [version, subject, spki, attributes] = info.children;
  if (smallInteger(expectTag(version, TAG.INTEGER, 'version')) !== 0)
    throw new DerError('unknown PKCS#10 version');
  const name = readName(expectTag(subject, TAG.SEQUENCE, 'subject'));
  const spkiDer = Buffer.from(tlvBytes(expectTag(spki, TAG.SEQUENCE, 'subjectPKInfo')));
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: spkiDer, format: 'der', type: 'spki' });
  } catch {
    throw new DerError('the request public key is unreadable');
  }
  let challengePassword: string | undefined;
  const requestedExtensions: string[] = [];
  if (attributes !== undefined) {
    expectTag(attributes, 0xa0, 'attributes');
    for (const attribute of attributes.children) {
      const [type, values] = expectTag(attribute, TAG.SEQUENCE, 'Attribute').children;
      const id = oidValue(type);
      const first = expectTag(values, TAG.SET, 'attribute values').children[0];
      if (id === OID.challengePassword && first !== undefined) {
        challengePassword = stringValue(first);
        if (challengePassword === undefined) throw new DerError('challengePassword is not a string');
      } else if (id === OID.extensionRequest && first !== undefined) {
        for (const extension of expectTag(first, TAG.SEQUENCE, 'extensionRequest').children) {
          requestedExtensions.push(oidValue(expectTag(extension, TAG.SEQUENCE, 'Extension').children[0]));
        }
      }
    }
  }
  const signatureOid = oidValue(expectTag(algorithm, TAG.SEQUENCE, 'signatureAlgorithm').children[0]);
  const bits = contentBytes(expectTag(signatureBits, TAG.BIT_STRING, 'signature'));
  if (bits.length < 2 || bits[0] !== 0) throw new DerError('malformed signature BIT STRING');
  const exact = Buffer.from(der);
  return {
    der: exact,
    pem: toPem(exact, 'CERTIFICATE REQUEST'),
    subjectDer: Buffer.from(tlvBytes(subject)),
    subject: name.text,
    subjectAttributes: name.attributes,
    subjectPublicKeyInfoDer: spkiDer,
    publicKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    keyType: publicKey.asymmetricKeyType ?? 'unknown',
    keyBits: publicKey.asymmetricKeyDetails?.modulusLength,
    challengePassword,
    requestedExtensions,
    infoDer: Buffer.from(tlvBytes(info)),
    signatureOid,
    signature: Buffer.from(bits.subarray(1)),
  };
}

/** Checks the request's self-signature (proof of possession of the private key). */
export function verifyCertificationRequest(
  request: CertificationRequest,
): { ok: true } | { ok: false; reason: string; unsupportedAlgorithm?: boolean } {
  const hash = signatureHash(request.signatureOid);
  if (hash === undefined) {
    return {
      ok: false,
      reason: `unsupported CSR signature algorithm ${request.signatureOid}`,
      unsupportedAlgorithm: true,
    };
  }
  try {
    if (verify(hash, request.infoDer, request.publicKey, request.signature)) return { ok: true };
  } catch {
    // falls through
  }
  return { ok: false, reason: 'the CSR signature does not verify' };
}
