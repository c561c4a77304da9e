import {
  DerError,
  contentBytes,
  expectOctetString,
  expectTag,
  oidValue,
  parseTlv,
  TAG,
  tlvBytes,
  type Tlv,
} from '../asn1/der.js';

/** The TBSCertificate fields located in a certificate's DER (exact bytes). */
export function readCertificateFields(der: Buffer): {
  /** The serialNumber INTEGER's contents octets. */
  serial: Buffer;
  issuer: Buffer;
  subject: Buffer;
  /** The SubjectKeyIdentifier extension's key identifier, if any. */
  subjectKeyIdentifier?: Buffer;
  subjectTlv: Tlv;
} {
  const [tbs] = expectTag(parseTlv(der), TAG.SEQUENCE, 'Certificate').children;
  if (tbs === undefined) throw new DerError('Certificate: empty');
  const fields = expectTag(tbs, TAG.SEQUENCE, 'TBSCertificate').children;
  let i = fields[0]?.tag === 0xa0 ? 1 : 0; // version is [0] EXPLICIT, absent in v1
  const serialTlv = expectTag(fields[i++], TAG.INTEGER, 'serialNumber');
  i += 1; // signature AlgorithmIdentifier
  const issuerTlv = expectTag(fields[i++], TAG.SEQUENCE, 'issuer');
  i += 1; // validity
  const subjectTlv = expectTag(fields[i++], TAG.SEQUENCE, 'subject');
  let subjectKeyIdentifier: Buffer | undefined;
  for (const field of fields.slice(i)) {
    if (field.tag !== 0xa3) continue; // [3] EXPLICIT Extensions
    for (const extension of expectTag(field.children[0], TAG.SEQUENCE, 'Extensions').children) {
      const parts = expectTag(extension, TAG.SEQUENCE, 'Extension').children;
      if (oidValue(parts[0], 'extnID') !== '2.5.29.14') continue;
      const value = expectOctetString(parts[parts.length - 1], 'extnValue');
      subjectKeyIdentifier = expectOctetString(parseTlv(value), 'SubjectKeyIdentifier');
    }
  }
  return {
    serial: contentBytes(serialTlv),
    issuer: tlvBytes(issuerTlv),
    subject: tlvBytes(subjectTlv),
    subjectKeyIdentifier,
    subjectTlv,
  };
}
