import { randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { OID } from './algorithms.js';
import { subjectKeyIdentifierOf, type CertificateFields } from './certificate-fields.js';
import {
  algorithmIdentifier,
  bitString,
  BOOLEAN_TRUE,
  explicit,
  implicit,
  integer,
  NULL,
  octetString,
  oid,
  sequence,
  time,
} from '../asn1/der.js';
import { keyIdentifier } from './envelope.js';

/** Clock-skew allowance: certificates start a little in the past, as the tenant PKI does. */
export const BACKDATE_MS = 10 * 60 * 1000;

export interface IssueCertificateOptions {
  ca: { fields: CertificateFields; certificate: X509Certificate; privateKey: KeyObject };
  /** Exact DER of the subject Name and SubjectPublicKeyInfo (from the CSR). */
  subjectDer: Buffer;
  subjectPublicKeyInfoDer: Buffer;
  now: Date;
  validityDays: number;
}

export interface IssuedCertificate {
  der: Buffer;
  pem: string;
  serialNumberHex: string;
  notBefore: Date;
  notAfter: Date;
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical
    ? sequence(oid(id), BOOLEAN_TRUE, octetString(value))
    : sequence(oid(id), octetString(value));
}

/**
 * Issues an end-entity client certificate: X.509 v3, SHA-256 with RSA, a random positive 127-bit
 * serial, the CSR's subject and key as given, basicConstraints CA:FALSE, keyUsage digitalSignature
 * + keyEncipherment, extendedKeyUsage clientAuth, subject/authority key identifiers. Validity
 * starts BACKDATE_MS before `now` and is capped at the CA's own notAfter.
 */
export function issueCertificate(options: IssueCertificateOptions): IssuedCertificate {
  const { ca, now } = options;
  const serial = randomBytes(16);
  serial[0] = (serial[0] & 0x7f) | 0x40;
  const notBefore = new Date(Math.floor((now.getTime() - BACKDATE_MS) / 1000) * 1000);
  const requested = new Date(Math.floor(now.getTime() / 1000) * 1000 + options.validityDays * 86_400_000);
  const caNotAfter = new Date(ca.certificate.validTo);
  const notAfter = requested < caNotAfter ? requested : caNotAfter;
  const signatureAlgorithm = algorithmIdentifier(OID.sha256WithRsa, NULL);

  const extensions = sequence(
    extension(OID.basicConstraints, true, sequence()),
    // digitalSignature (bit 0) + keyEncipherment (bit 2): 0b101 followed by 5 unused bits.
    extension(OID.keyUsage, true, bitString(Buffer.from([0xa0]), 5)),
    extension(OID.extKeyUsage, false, sequence(oid(OID.clientAuth))),
    extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(options.subjectPublicKeyInfoDer))),
    extension(
      OID.authorityKeyIdentifier,
      false,
      sequence(implicit(0, false, subjectKeyIdentifierOf(ca.fields))),
    ),
  );
  const tbs = sequence(
    explicit(0, integer(2)),
    integer(serial),
    signatureAlgorithm,
    ca.fields.subjectDer,
    sequence(time(notBefore), time(notAfter)),
    options.subjectDer,
    options.subjectPublicKeyInfoDer,
    explicit(3, extensions),
  );
  const signature = sign('sha256', tbs, ca.privateKey);
  const der = sequence(tbs, signatureAlgorithm, bitString(signature));
  return {
    der,
    pem: new X509Certificate(der).toString(),
    serialNumberHex: serial.toString('hex').toUpperCase(),
    notBefore,
    notAfter,
  };
}
