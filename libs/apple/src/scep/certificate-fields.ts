import { OID } from './algorithms.js';
import {
  contentBytes,
  DerError,
  expectTag,
  integerMagnitude,
  octetStringValue,
  oidValue,
  parseTlv,
  TAG,
  tlvBytes,
} from '../asn1/der.js';
import { keyIdentifier } from './envelope.js';

/** The parts of an X.509 certificate SCEP needs, as the exact DER found in the certificate. */
export interface CertificateFields {
  der: Buffer;
  issuerDer: Buffer;
  /** The serialNumber INTEGER element. */
  serialDer: Buffer;
  /** Its value without leading zero octets (for comparisons). */
  serialMagnitude: Buffer;
  subjectDer: Buffer;
  subjectPublicKeyInfoDer: Buffer;
  /** Extension OID → { critical, extnValue contents }. */
  extensions: Map<string, { critical: boolean; value: Buffer }>;
}

export function readCertificateFields(der: Buffer): CertificateFields {
  const certificate = expectTag(parseTlv(der), TAG.SEQUENCE, 'Certificate');
  const tbs = expectTag(certificate.children[0], TAG.SEQUENCE, 'TBSCertificate');
  const fields = tbs.children;
  const offset = fields[0]?.tag === 0xa0 ? 1 : 0; // version is [0] EXPLICIT, absent in v1
  const serial = expectTag(fields[offset], TAG.INTEGER, 'serialNumber');
  const issuer = expectTag(fields[offset + 2], TAG.SEQUENCE, 'issuer');
  const subject = expectTag(fields[offset + 4], TAG.SEQUENCE, 'subject');
  const spki = expectTag(fields[offset + 5], TAG.SEQUENCE, 'subjectPublicKeyInfo');
  const extensions = new Map<string, { critical: boolean; value: Buffer }>();
  const extensionsField = fields.slice(offset + 6).find((field) => field.tag === 0xa3);
  if (extensionsField !== undefined) {
    for (const extension of expectTag(extensionsField.children[0], TAG.SEQUENCE, 'extensions').children) {
      const [id, second, third] = expectTag(extension, TAG.SEQUENCE, 'Extension').children;
      const critical = second?.tag === TAG.BOOLEAN ? contentBytes(second)[0] !== 0 : false;
      const value = second?.tag === TAG.BOOLEAN ? third : second;
      extensions.set(oidValue(id), {
        critical,
        value: octetStringValue(expectTag(value, TAG.OCTET_STRING, 'extnValue')),
      });
    }
  }
  return {
    der,
    issuerDer: tlvBytes(issuer),
    serialDer: tlvBytes(serial),
    serialMagnitude: integerMagnitude(serial),
    subjectDer: tlvBytes(subject),
    subjectPublicKeyInfoDer: tlvBytes(spki),
    extensions,
  };
}

/** The certificate's subjectKeyIdentifier, or the RFC 5280 SHA-1 identifier of its key when it has none. */
export function subjectKeyIdentifierOf(fields: CertificateFields): Buffer {
  const extension = fields.extensions.get(OID.subjectKeyIdentifier);
  if (extension !== undefined) {
    try {
      return contentBytes(expectTag(parseTlv(extension.value), TAG.OCTET_STRING, 'subjectKeyIdentifier'));
    } catch {
      // fall through to the computed identifier
    }
  }
  return keyIdentifier(fields.subjectPublicKeyInfoDer);
}

export const KEY_USAGE_BITS = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;

export type KeyUsageName = (typeof KEY_USAGE_BITS)[number];

/** The names of the keyUsage bits set, or undefined when the certificate has no keyUsage extension. */
export function keyUsageOf(fields: CertificateFields): KeyUsageName[] | undefined {
  const extension = fields.extensions.get(OID.keyUsage);
  if (extension === undefined) return undefined;
  const bits = contentBytes(expectTag(parseTlv(extension.value), TAG.BIT_STRING, 'keyUsage'));
  if (bits.length === 0) throw new DerError('empty keyUsage');
  return KEY_USAGE_BITS.filter((_, i) => {
    const byte = bits[1 + (i >> 3)];
    return byte !== undefined && (byte & (0x80 >> (i & 7))) !== 0;
  });
}
