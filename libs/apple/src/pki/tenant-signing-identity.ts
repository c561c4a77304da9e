import { generateKeyPair, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';
import { parseCertificate, parseRsaPrivateKey, readTbsFields, type SigningIdentity } from './certificates.js';
import { SigningIdentityError } from './signing-identity-error.js';

/*
 * Each tenant gets its own small PKI: a CA (10 years) that phones can be told to trust, and a
 * profile-signing certificate (2 years) issued by it. RSA keys come from Node's native generator;
 * certificates are assembled with node-forge and signed with Node's native RSA (forge's own RSA is
 * pure JavaScript and far slower).
 */

const generateKeyPairAsync = promisify(generateKeyPair);

/** Clock-skew allowance: certificates start a little in the past so a phone slightly behind accepts them. */
const BACKDATE_MS = 10 * 60 * 1000;

export const TENANT_CA_VALIDITY_YEARS = 10;
export const PROFILE_SIGNING_VALIDITY_YEARS = 2;

export interface TenantSigningIdentity extends SigningIdentity {
  /** The tenant CA: self-signed, keyCertSign/cRLSign. chainPem is [caCertificatePem]. */
  caCertificatePem: string;
  /** Needed to issue the next signing certificate; encrypt it at rest like the other key. */
  caPrivateKeyPem: string;
}

export interface GenerateTenantSigningIdentityOptions {
  tenantName: string;
  tenantSlug: string;
  /** Start of validity (default: now). */
  now?: Date;
}

export interface IssueProfileSigningCertificateOptions {
  caCertificatePem: string;
  caPrivateKeyPem: string;
  tenantName: string;
  tenantSlug: string;
  now?: Date;
}

async function newRsaKeyPair(): Promise<{ privateKeyPem: string; publicKeyPem: string }> {
  const { privateKey, publicKey } = await generateKeyPairAsync('rsa', {
    modulusLength: 2048,
    publicExponent: 0x10001,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

/** A positive 127-bit serial (RFC 5280: unique per CA, at most 20 octets, positive). */
function randomSerialHex(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] & 0x7f) | 0x40;
  return bytes.toString('hex');
}

function addYears(date: Date, years: number): Date {
  const result = new Date(date.getTime());
  result.setUTCFullYear(result.getUTCFullYear() + years);
  return result;
}

function utf8Name(commonName: string, organization: string): forge.pki.CertificateField[] {
  // UTF8String, not forge's PrintableString default: tenant names carry accents.
  return [
    { shortName: 'CN', value: commonName, valueTagClass: forge.asn1.Type.UTF8 },
    { shortName: 'O', value: organization, valueTagClass: forge.asn1.Type.UTF8 },
  ] as unknown as forge.pki.CertificateField[];
}

/**
 * Signs a forge certificate with a native key: forge's cert.sign() minus its pure-JS RSA. With
 * `issuerName`, the TBS issuer is replaced by that exact DER Name (the CA's subject as encoded in
 * the CA certificate): forge would re-encode a parsed name and could change its bytes.
 */
function signNatively(cert: forge.pki.Certificate, issuerKey: KeyObject, issuerName?: forge.asn1.Asn1): void {
  cert.signatureOid = forge.pki.oids.sha256WithRSAEncryption;
  cert.siginfo.algorithmOid = forge.pki.oids.sha256WithRSAEncryption;
  const tbs = (
    forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }
  ).getTBSCertificate(cert);
  if (issuerName !== undefined) {
    // TBSCertificate: [0] version, serialNumber, signature, issuer, ...
    (tbs.value as forge.asn1.Asn1[])[3] = issuerName;
  }
  cert.tbsCertificate = tbs;
  const tbsDer = Buffer.from(forge.asn1.toDer(tbs).getBytes(), 'binary');
  cert.signature = sign('sha256', tbsDer, issuerKey).toString('binary');
}

/** PEM with LF line ends, as Node writes it (forge writes CRLF), so PEMs compare equal whatever produced them. */
function toPem(cert: forge.pki.Certificate): string {
  return new X509Certificate(forge.pki.certificateToPem(cert)).toString();
}

function checkNames(tenantName: unknown, tenantSlug: unknown): void {
  if (
    typeof tenantName !== 'string' ||
    tenantName.trim() === '' ||
    typeof tenantSlug !== 'string' ||
    tenantSlug.trim() === ''
  ) {
    throw new SigningIdentityError('INVALID_INPUT', 'tenantName and tenantSlug must be non-empty strings');
  }
}

/**
 * Issues a profile-signing certificate (2 years, capped at the CA's own expiry) from a tenant CA:
 * used by generateTenantSigningIdentity() and to renew the signing certificate when it nears expiry.
 */
export async function issueProfileSigningCertificate(
  options: IssueProfileSigningCertificateOptions,
): Promise<SigningIdentity> {
  checkNames(options.tenantName, options.tenantSlug);
  const now = options.now ?? new Date();
  const caKey = parseRsaPrivateKey(options.caPrivateKeyPem, 'the tenant CA private key');
  const caX509 = parseCertificate(options.caCertificatePem, 'the tenant CA certificate');
  if (!caX509.ca || !caX509.checkPrivateKey(caKey)) {
    throw new SigningIdentityError(
      'KEY_MISMATCH',
      'the tenant CA certificate and private key do not form a CA identity',
    );
  }
  const ca = forge.pki.certificateFromPem(options.caCertificatePem);
  const caSkiExtension = ca.getExtension('subjectKeyIdentifier') as
    { subjectKeyIdentifier?: string } | undefined;
  const caSubjectKeyId =
    caSkiExtension?.subjectKeyIdentifier !== undefined
      ? forge.util.hexToBytes(caSkiExtension.subjectKeyIdentifier)
      : ca.generateSubjectKeyIdentifier().getBytes();
  const { privateKeyPem, publicKeyPem } = await newRsaKeyPair();

  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  cert.serialNumber = randomSerialHex();
  cert.validity.notBefore = new Date(now.getTime() - BACKDATE_MS);
  const notAfter = addYears(now, PROFILE_SIGNING_VALIDITY_YEARS);
  cert.validity.notAfter = notAfter < ca.validity.notAfter ? notAfter : ca.validity.notAfter;
  cert.setSubject(utf8Name(`${options.tenantName} — Signature des profils Rempart`, options.tenantName));
  cert.setIssuer(ca.subject.attributes); // replaced by the CA's exact subject DER in signNatively()
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, critical: true },
    // emailProtection: the S/MIME signing purpose OpenSSL checks by default (`openssl cms -verify`
    // passes without `-purpose any`); codeSigning: what a profile signature is, in spirit.
    { name: 'extKeyUsage', emailProtection: true, codeSigning: true },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caSubjectKeyId },
  ]);
  signNatively(cert, caKey, readTbsFields(caX509.raw).subject);
  return {
    certificatePem: toPem(cert),
    privateKeyPem,
    chainPem: [caX509.toString()],
  };
}

/**
 * Creates a tenant CA: self-signed RSA-2048, SHA-256, 10 years, pathLen 0. It signs the tenant's
 * profile-signing certificate and the device identities issued over SCEP.
 */
export async function generateTenantCa(
  options: GenerateTenantSigningIdentityOptions,
): Promise<{ caCertificatePem: string; caPrivateKeyPem: string }> {
  checkNames(options.tenantName, options.tenantSlug);
  const now = options.now ?? new Date();
  const caKeys = await newRsaKeyPair();
  const caKey = parseRsaPrivateKey(caKeys.privateKeyPem);

  const ca = forge.pki.createCertificate();
  ca.publicKey = forge.pki.publicKeyFromPem(caKeys.publicKeyPem);
  ca.serialNumber = randomSerialHex();
  ca.validity.notBefore = new Date(now.getTime() - BACKDATE_MS);
  ca.validity.notAfter = addYears(now, TENANT_CA_VALIDITY_YEARS);
  const name = utf8Name(
    `${options.tenantName} — Autorité Rempart (${options.tenantSlug})`,
    options.tenantName,
  );
  ca.setSubject(name);
  ca.setIssuer(name);
  ca.setExtensions([
    // pathLen 0: this CA only ever issues end-entity certificates.
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    // digitalSignature + keyEncipherment as well: the CA is also the tenant's SCEP server, which
    // signs CertReps and receives requests encrypted to it (RFC 8894 §3; macOS checks both).
    {
      name: 'keyUsage',
      keyCertSign: true,
      cRLSign: true,
      digitalSignature: true,
      keyEncipherment: true,
      critical: true,
    },
    { name: 'subjectKeyIdentifier' },
  ]);
  signNatively(ca, caKey);
  return { caCertificatePem: toPem(ca), caPrivateKeyPem: caKeys.privateKeyPem };
}

/**
 * Creates a tenant's CA (self-signed RSA-2048, SHA-256, 10 years) and a profile-signing
 * certificate issued by it (2 years), as PEMs. The result can be given to `new CmsSigner(...)`.
 */
export async function generateTenantSigningIdentity(
  options: GenerateTenantSigningIdentityOptions,
): Promise<TenantSigningIdentity> {
  const ca = await generateTenantCa(options);
  const signing = await issueProfileSigningCertificate({
    caCertificatePem: ca.caCertificatePem,
    caPrivateKeyPem: ca.caPrivateKeyPem,
    tenantName: options.tenantName,
    tenantSlug: options.tenantSlug,
    now: options.now,
  });
  return { ...signing, ...ca };
}
