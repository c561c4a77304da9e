import { createHash, generateKeyPair, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import {
  buildEnvelopedData,
  buildSignedData,
  CmsError,
  derToPem,
  OID,
  openEnvelopedData,
  parseSignedData,
  publicKeyDer,
  verifySignedData,
  type ContentCipher,
} from './cms.js';
import {
  TAG,
  bitString,
  contextTag,
  derNull,
  directoryString,
  integer,
  octetString,
  oid,
  parseDer,
  printableString,
  readString,
  sequence,
  setOf,
  time,
  tlv,
  type DerNode,
} from './der.js';

/*
 * A SCEP client (RFC 8894) that does what an iPhone does with a com.apple.security.scep payload:
 * GetCACaps, GetCACert, then one PKIOperation carrying a PKCSReq (a PKCS#10 CSR with the challenge
 * password, encrypted to the CA/RA certificate, signed with a throw-away self-signed certificate over
 * the new key), and reads the CertRep. It speaks HTTP only through `fetch`, so it works against any
 * SCEP server: Debian's scepserver (micromdm/scep), Rempart's own, NDES...
 */

const generateKeyPairAsync = promisify(generateKeyPair);

/** SCEP attribute OIDs (RFC 8894 §3.2.1; Verisign arc). */
const SCEP_OID = {
  messageType: '2.16.840.1.113733.1.9.2',
  pkiStatus: '2.16.840.1.113733.1.9.3',
  failInfo: '2.16.840.1.113733.1.9.4',
  senderNonce: '2.16.840.1.113733.1.9.5',
  recipientNonce: '2.16.840.1.113733.1.9.6',
  transactionID: '2.16.840.1.113733.1.9.7',
  failInfoText: '1.3.6.1.5.5.7.24.1',
} as const;

const MESSAGE_TYPE = { CertRep: '3', PKCSReq: '19' } as const;
const PKI_STATUS: Record<string, 'SUCCESS' | 'FAILURE' | 'PENDING'> = {
  '0': 'SUCCESS',
  '2': 'FAILURE',
  '3': 'PENDING',
};
const FAIL_INFO: Record<string, string> = {
  '0': 'badAlg',
  '1': 'badMessageCheck',
  '2': 'badRequest',
  '3': 'badTime',
  '4': 'badCertId',
};

const CIPHER_NAMES: Record<string, string> = {
  [OID.aes128Cbc]: 'aes-128-cbc',
  [OID.aes192Cbc]: 'aes-192-cbc',
  [OID.aes256Cbc]: 'aes-256-cbc',
  [OID.desEde3Cbc]: 'des-ede3-cbc',
  [OID.desCbc]: 'des-cbc',
};

/** Attribute types accepted in a SCEP payload Subject (Apple: C, L, ST, O, OU, CN, or a dotted OID). */
const NAME_OIDS: Record<string, string> = {
  C: '2.5.4.6',
  L: '2.5.4.7',
  ST: '2.5.4.8',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  CN: '2.5.4.3',
  SERIALNUMBER: '2.5.4.5',
  E: '1.2.840.113549.1.9.1',
  EMAILADDRESS: '1.2.840.113549.1.9.1',
  UID: '0.9.2342.19200300.100.1.1',
  DC: '0.9.2342.19200300.100.1.25',
};
const IA5_OIDS = new Set(['1.2.840.113549.1.9.1', '0.9.2342.19200300.100.1.25']);
const PRINTABLE_OIDS = new Set(['2.5.4.6', '2.5.4.5']);

/**
 * An X.500 name as in Apple's SCEP payload: an array of RDNs, each an array of [type, value] pairs,
 * e.g. `[[['C','FR']], [['O','Rempart']], [['CN','device-1']]]`.
 */
export type ScepSubject = ReadonlyArray<ReadonlyArray<readonly string[]>>;

/** One HTTP request/response, recorded for assertions. */
export interface HttpExchange {
  endpoint: string;
  method: string;
  url: string;
  status: number;
  requestHeaders: Record<string, string>;
  requestBody?: Buffer;
  responseContentType: string | null;
  responseBody: Buffer;
}

export interface ScepEnrollOptions {
  /** The SCEP endpoint (the payload's URL), e.g. http://127.0.0.1:8080/scep. */
  url: string;
  /** challengePassword put in the CSR (the payload's Challenge). */
  challenge?: string;
  /** Apple's array form, or an OpenSSL-style string "/C=FR/O=Rempart/CN=device-1". Default CN=SimulatedIphone. */
  subject?: ScepSubject | string;
  /** RSA key size in bits (the payload's Keysize). Default 2048. */
  keySize?: number;
  /** Sent as GetCACert's `message` (the payload's Name), for CAs that host several CA certificates. */
  name?: string;
  /** Apple "Key Usage" bitmask: 1 signing, 4 encryption (requested in the CSR when set). */
  keyUsage?: number;
  /** The payload's CAFingerprint (MD5, SHA-1 or SHA-256 of the CA certificate): checked when set. */
  caFingerprint?: Uint8Array;
  /** Content encryption of the request. Default: aes-256-cbc when the CA lists AES (or SCEPStandard), else des-ede3-cbc. */
  cipher?: ContentCipher;
  /** Use this key instead of generating one. */
  privateKey?: KeyObject;
  fetch?: typeof fetch;
  headers?: Record<string, string>;
  /** Called for every HTTP exchange (GetCACaps, GetCACert, PKIOperation). */
  onExchange?: (exchange: HttpExchange) => void;
}

export interface ScepIdentity {
  certificate: X509Certificate;
  certificatePem: string;
  privateKey: KeyObject;
  /** PKCS#8 PEM. */
  privateKeyPem: string;
  /** Certificates GetCACert returned (CA first when the server sent a chain). */
  caCertificatesPem: string[];
  /** GetCACaps lines as sent. */
  capabilities: string[];
  transactionId: string;
  method: 'POST' | 'GET';
  cipher: ContentCipher;
  digest: string;
  /** Content encryption the CA used for its reply (OID name, e.g. aes-256-cbc, des-cbc). */
  replyCipher: string;
}

export type ScepErrorCode = 'HTTP' | 'NETWORK' | 'FAILURE' | 'PENDING' | 'PROTOCOL' | 'CA_FINGERPRINT';

export class ScepError extends Error {
  override readonly name = 'ScepError';
  constructor(
    readonly code: ScepErrorCode,
    message: string,
    readonly details: { httpStatus?: number; failInfo?: string; failInfoText?: string } = {},
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------------
// Names, CSR, self-signed signer certificate

function parseSubjectString(subject: string): string[][][] {
  return subject
    .split('/')
    .filter((part) => part.trim() !== '')
    .map((part) => {
      const eq = part.indexOf('=');
      if (eq <= 0) throw new ScepError('PROTOCOL', `invalid subject component ${JSON.stringify(part)}`);
      return [[part.slice(0, eq).trim(), part.slice(eq + 1)]];
    });
}

/** DER Name from Apple's SCEP Subject form. */
export function encodeName(subject: ScepSubject | string): Buffer {
  const rdns = typeof subject === 'string' ? parseSubjectString(subject) : subject;
  return sequence(
    ...rdns.map((rdn) =>
      setOf(
        ...rdn.map((pair) => {
          const [type, value] = pair;
          if (typeof type !== 'string' || typeof value !== 'string') {
            throw new ScepError('PROTOCOL', `invalid subject entry ${JSON.stringify(pair)}`);
          }
          const typeOid = NAME_OIDS[type.toUpperCase()] ?? (/^\d+(\.\d+)+$/.test(type) ? type : undefined);
          if (typeOid === undefined)
            throw new ScepError('PROTOCOL', `unknown subject attribute type ${type}`);
          const encoded = IA5_OIDS.has(typeOid)
            ? tlv(TAG.IA5_STRING, Buffer.from(value, 'latin1'))
            : PRINTABLE_OIDS.has(typeOid)
              ? printableString(value)
              : directoryString(value);
          return sequence(oid(typeOid), encoded);
        }),
      ),
    ),
  );
}

const SHA256_WITH_RSA = sequence(oid(OID.sha256WithRSAEncryption), derNull());

/** keyUsage extension from Apple's bitmask (1 digitalSignature, 4 keyEncipherment). */
function keyUsageExtension(appleKeyUsage: number): Buffer {
  let bits = 0;
  if (appleKeyUsage & 1) bits |= 0x80; // digitalSignature (bit 0)
  if (appleKeyUsage & 4) bits |= 0x20; // keyEncipherment (bit 2)
  if (bits === 0) bits = 0x80;
  let unused = 0;
  while (((bits >> unused) & 1) === 0) unused += 1;
  const value = tlv(TAG.BIT_STRING, Buffer.from([unused, bits]));
  return sequence(oid(OID.keyUsage), tlv(TAG.BOOLEAN, Buffer.from([0xff])), octetString(value));
}

/** PKCS#10 CertificationRequest with challengePassword (and extensionRequest for keyUsage). */
export function buildCsr(options: {
  subject: Buffer;
  privateKey: KeyObject;
  challenge?: string;
  keyUsage?: number;
}): Buffer {
  const attributes: Buffer[] = [];
  if (options.challenge !== undefined && options.challenge !== '') {
    attributes.push(sequence(oid(OID.challengePassword), setOf(directoryString(options.challenge))));
  }
  if (options.keyUsage !== undefined && options.keyUsage !== 0) {
    attributes.push(
      sequence(oid(OID.extensionRequest), setOf(sequence(keyUsageExtension(options.keyUsage)))),
    );
  }
  const info = sequence(
    integer(0),
    options.subject,
    publicKeyDer(options.privateKey),
    tlv(0xa0, [...attributes].sort(Buffer.compare)), // [0] IMPLICIT SET OF Attribute
  );
  return sequence(info, SHA256_WITH_RSA, bitString(sign('sha256', info, options.privateKey)));
}

/** The transient self-signed certificate that signs a PKCSReq and receives the CertRep (RFC 8894 §2.3). */
export function buildSelfSignedCertificate(subject: Buffer, privateKey: KeyObject, now = new Date()): Buffer {
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  const tbs = sequence(
    contextTag(0, integer(2)),
    integer(serial),
    SHA256_WITH_RSA,
    subject,
    sequence(time(new Date(now.getTime() - 3_600_000)), time(new Date(now.getTime() + 3_600_000))),
    subject,
    publicKeyDer(privateKey),
    contextTag(3, sequence(keyUsageExtension(5))),
  );
  return sequence(tbs, SHA256_WITH_RSA, bitString(sign('sha256', tbs, privateKey)));
}

// ---------------------------------------------------------------------------------------------
// HTTP

interface HttpResult {
  status: number;
  contentType: string | null;
  body: Buffer;
}

async function exchange(
  options: ScepEnrollOptions,
  operation: string,
  method: 'GET' | 'POST',
  params: Record<string, string>,
  body?: Buffer,
): Promise<HttpResult> {
  const url = new URL(options.url);
  url.searchParams.set('operation', operation);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (body !== undefined) headers['Content-Type'] = 'application/x-pki-message';
  const doFetch = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(url, { method, headers, body });
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    throw new ScepError(
      'NETWORK',
      `SCEP ${operation} to ${url.origin}${url.pathname} failed: ${(error as Error).message}${cause ? ` (${cause})` : ''}`,
    );
  }
  const result: HttpResult = {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body: Buffer.from(await response.arrayBuffer()),
  };
  options.onExchange?.({
    endpoint: 'scep',
    method,
    url: url.toString(),
    status: result.status,
    requestHeaders: headers,
    requestBody: body,
    responseContentType: result.contentType,
    responseBody: result.body,
  });
  if (result.status !== 200) {
    const snippet = result.body.toString('utf8').slice(0, 200).trim();
    throw new ScepError(
      'HTTP',
      `SCEP ${operation} to ${url.origin}${url.pathname} failed: HTTP ${result.status}${snippet ? `: ${snippet}` : ''}`,
      { httpStatus: result.status },
    );
  }
  return result;
}

/** GetCACaps: the capability keywords, one per line (empty list if the server answers with nothing). */
export async function scepGetCaCaps(options: ScepEnrollOptions): Promise<string[]> {
  const { body } = await exchange(options, 'GetCACaps', 'GET', {});
  return body
    .toString('utf8')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/** GetCACert: a single DER certificate (x-x509-ca-cert) or a certs-only PKCS#7 (x-x509-ca-ra-cert). */
export async function scepGetCaCert(options: ScepEnrollOptions): Promise<X509Certificate[]> {
  const { body, contentType } = await exchange(
    options,
    'GetCACert',
    'GET',
    options.name ? { message: options.name } : {},
  );
  try {
    const isPkcs7 = /x-x509-ca-ra-cert/i.test(contentType ?? '') || looksLikePkcs7(body);
    const ders = isPkcs7 ? parseSignedData(body, 'GetCACert PKCS#7', true).certificates : [body];
    if (ders.length === 0) throw new Error('no certificate in the reply');
    return ders.map((der) => new X509Certificate(der));
  } catch (error) {
    throw new ScepError(
      'PROTOCOL',
      `SCEP GetCACert returned no usable certificate: ${(error as Error).message}`,
    );
  }
}

function looksLikePkcs7(body: Buffer): boolean {
  try {
    const node = parseDer(body);
    const first = node.children[0];
    return first?.tag === TAG.OID && first.raw.equals(oid(OID.signedData));
  } catch {
    return false;
  }
}

function hasCap(caps: string[], name: string): boolean {
  return caps.some((cap) => cap.toLowerCase() === name.toLowerCase());
}

function checkFingerprint(certs: X509Certificate[], fingerprint: Uint8Array): void {
  const algorithm = { 16: 'md5', 20: 'sha1', 32: 'sha256' }[fingerprint.length];
  if (algorithm === undefined) {
    throw new ScepError(
      'CA_FINGERPRINT',
      `CAFingerprint has an unsupported length (${fingerprint.length} bytes)`,
    );
  }
  const expected = Buffer.from(fingerprint);
  if (!certs.some((cert) => createHash(algorithm).update(cert.raw).digest().equals(expected))) {
    throw new ScepError(
      'CA_FINGERPRINT',
      `no certificate returned by GetCACert matches the CAFingerprint ${expected.toString('hex')} (${algorithm})`,
    );
  }
}

/** The certificate the request is encrypted to: an RA certificate when the CA sent one, else the CA. */
function recipientOf(certs: X509Certificate[]): X509Certificate {
  return certs.find((cert) => !cert.ca) ?? certs[0];
}

function singleAttribute(map: Map<string, DerNode[]>, type: string): string | undefined {
  const value = map.get(type)?.[0];
  if (value === undefined) return undefined;
  return value.tag === TAG.OCTET_STRING ? value.content.toString('hex') : readString(value);
}

// ---------------------------------------------------------------------------------------------
// Enrollment

/**
 * Obtains a certificate from a SCEP server. Throws ScepError with a clear message on HTTP errors,
 * a FAILURE (with failInfo) or PENDING CertRep, or a malformed reply.
 */
export async function scepEnroll(options: ScepEnrollOptions): Promise<ScepIdentity> {
  const keySize = options.keySize ?? 2048;
  const keyPromise = options.privateKey
    ? Promise.resolve(options.privateKey)
    : generateKeyPairAsync('rsa', { modulusLength: keySize, publicExponent: 0x10001 }).then(
        (pair) => pair.privateKey,
      );

  const capabilities = await scepGetCaCaps(options);
  const caCerts = await scepGetCaCert(options);
  if (options.caFingerprint !== undefined && options.caFingerprint.length > 0) {
    checkFingerprint(caCerts, options.caFingerprint);
  }
  const recipient = recipientOf(caCerts);

  const cipher: ContentCipher =
    options.cipher ??
    (hasCap(capabilities, 'AES') || hasCap(capabilities, 'SCEPStandard') ? 'aes-256-cbc' : 'des-ede3-cbc');
  // Without SHA-256 (or SCEPStandard, which implies it), fall back to SHA-1, which pre-RFC 8894 servers all accept.
  const digest =
    hasCap(capabilities, 'SHA-256') || hasCap(capabilities, 'SCEPStandard')
      ? 'sha256'
      : hasCap(capabilities, 'SHA-512')
        ? 'sha512'
        : 'sha1';
  const method: 'POST' | 'GET' =
    hasCap(capabilities, 'POSTPKIOperation') || hasCap(capabilities, 'SCEPStandard') ? 'POST' : 'GET';

  const privateKey = await keyPromise;
  const subject = encodeName(options.subject ?? [[['CN', 'SimulatedIphone']]]);
  const csr = buildCsr({ subject, privateKey, challenge: options.challenge, keyUsage: options.keyUsage });
  const signerCert = buildSelfSignedCertificate(subject, privateKey);
  const transactionId = createHash('sha256').update(publicKeyDer(privateKey)).digest('hex').toUpperCase();
  const senderNonce = randomBytes(16);

  const envelope = buildEnvelopedData(csr, recipient.raw, cipher);
  const request = buildSignedData({
    content: envelope,
    certificateDer: signerCert,
    privateKey,
    digest,
    attributes: [
      { type: SCEP_OID.messageType, value: printableString(MESSAGE_TYPE.PKCSReq) },
      { type: SCEP_OID.transactionID, value: printableString(transactionId) },
      { type: SCEP_OID.senderNonce, value: octetString(senderNonce) },
      { type: OID.signingTime, value: time(new Date()) },
    ],
  });

  const reply =
    method === 'POST'
      ? await exchange(options, 'PKIOperation', 'POST', {}, request)
      : await exchange(options, 'PKIOperation', 'GET', { message: request.toString('base64') });

  let certRep;
  try {
    certRep = verifySignedData(reply.body, {
      extraCertificates: caCerts.map((cert) => cert.raw),
      what: 'SCEP CertRep',
    });
  } catch (error) {
    throw new ScepError(
      'PROTOCOL',
      `SCEP PKIOperation reply is not a valid signed CertRep: ${(error as Error).message}`,
    );
  }
  const attrs = certRep.signers[0].signedAttrs;
  const messageType = singleAttribute(attrs, SCEP_OID.messageType);
  if (messageType !== MESSAGE_TYPE.CertRep) {
    throw new ScepError(
      'PROTOCOL',
      `SCEP reply has messageType ${messageType ?? '(none)'}, expected CertRep (3)`,
    );
  }
  const replyTransaction = singleAttribute(attrs, SCEP_OID.transactionID);
  if (replyTransaction !== transactionId) {
    throw new ScepError(
      'PROTOCOL',
      `SCEP reply transactionID ${replyTransaction ?? '(none)'} does not match ${transactionId}`,
    );
  }
  const recipientNonce = singleAttribute(attrs, SCEP_OID.recipientNonce);
  if (recipientNonce !== undefined && recipientNonce !== senderNonce.toString('hex')) {
    throw new ScepError('PROTOCOL', 'SCEP reply recipientNonce does not echo our senderNonce');
  }
  const statusCode = singleAttribute(attrs, SCEP_OID.pkiStatus);
  const status = statusCode === undefined ? undefined : PKI_STATUS[statusCode];
  if (status === 'FAILURE') {
    const failCode = singleAttribute(attrs, SCEP_OID.failInfo);
    const failInfo = failCode === undefined ? 'unspecified' : (FAIL_INFO[failCode] ?? `failInfo ${failCode}`);
    const failInfoText = singleAttribute(attrs, SCEP_OID.failInfoText);
    throw new ScepError(
      'FAILURE',
      `SCEP enrollment refused by ${options.url}: pkiStatus FAILURE, failInfo ${failInfo}${failCode !== undefined ? ` (${failCode})` : ''}` +
        `${failInfoText ? `: ${failInfoText}` : ''}` +
        (failInfo === 'badRequest' ? ' (wrong challenge password, or a CSR the CA does not accept)' : ''),
      { failInfo, failInfoText },
    );
  }
  if (status === 'PENDING') {
    throw new ScepError(
      'PENDING',
      `SCEP enrollment at ${options.url} is PENDING manual approval (polling is not implemented)`,
    );
  }
  if (status !== 'SUCCESS') {
    throw new ScepError('PROTOCOL', `SCEP reply has an unknown pkiStatus ${statusCode ?? '(none)'}`);
  }
  if (certRep.content === undefined || certRep.content.length === 0) {
    throw new ScepError('PROTOCOL', 'SCEP SUCCESS reply carries no pkcsPKIEnvelope');
  }

  let issued: X509Certificate | undefined;
  let replyCipher: string;
  try {
    const { content, contentEncryptionAlgorithm } = openEnvelopedData(
      certRep.content,
      privateKey,
      'SCEP pkcsPKIEnvelope',
    );
    replyCipher = CIPHER_NAMES[contentEncryptionAlgorithm] ?? contentEncryptionAlgorithm;
    const ownKey = publicKeyDer(privateKey);
    const certs = parseSignedData(content, 'SCEP degenerate PKCS#7', true).certificates.map(
      (der) => new X509Certificate(der),
    );
    issued = certs.find((cert) => publicKeyDer(cert).equals(ownKey));
  } catch (error) {
    if (error instanceof ScepError) throw error;
    const message = error instanceof CmsError || error instanceof Error ? error.message : String(error);
    throw new ScepError('PROTOCOL', `SCEP reply could not be opened: ${message}`);
  }
  if (issued === undefined) {
    throw new ScepError('PROTOCOL', 'SCEP reply does not contain a certificate for our key');
  }
  return {
    certificate: issued,
    certificatePem: derToPem(issued.raw),
    privateKey,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    caCertificatesPem: caCerts.map((cert) => derToPem(cert.raw)),
    capabilities,
    transactionId,
    method,
    cipher,
    digest,
    replyCipher,
  };
}
