import { createHash, randomBytes, type KeyObject, type X509Certificate } from 'node:crypto';
import { parseCertificate, parseRsaPrivateKey, splitPemCertificates } from '../pki/certificates.js';
import { SigningIdentityError } from '../pki/signing-identity-error.js';
import { OID, type ContentCipher } from './algorithms.js';
import {
  keyUsageOf,
  readCertificateFields,
  subjectKeyIdentifierOf,
  type CertificateFields,
} from './certificate-fields.js';
import { parseCertificationRequest, verifyCertificationRequest, type CertificationRequest } from './csr.js';
import { octetString, printableString } from '../asn1/der.js';
import { EnvelopeError, openEnvelope, sealEnvelope, type EnvelopeRecipient } from './envelope.js';
import { issueCertificate } from './issue-certificate.js';
import {
  attribute,
  degenerateCertificates,
  octetAttribute,
  parsePkiMessage,
  signPkiMessage,
  stringAttribute,
  verifyPkiMessage,
  type PkiMessage,
} from './pki-message.js';
import { ScepError } from './scep-error.js';
import {
  FAIL_INFO_CODES,
  MESSAGE_TYPES,
  messageTypeName,
  PKI_STATUS,
  type ScepFailInfo,
  type ScepPkiStatus,
} from './scep-types.js';

/*
 * A SCEP server (RFC 8894) as a library: no HTTP framework, no storage. The caller routes
 * `GET|POST …/scep?operation=…` here with the tenant's CA and a `decide` callback (challenge
 * check, device policy, audit) and writes back the ScepResponse.
 *
 * Interoperability notes (checked against micromdm's scepclient 2.1, Debian's `scep` package):
 * - the client fetches GetCACert, then GetCACaps, then POSTs the PKIOperation when
 *   POSTPKIOperation is advertised (GET with ?message=<base64> otherwise);
 * - its requests use SHA-1 and single DES whatever the capabilities say, so both are accepted
 *   on input; replies are always SHA-256 and AES or 3DES (single DES requests get 3DES replies);
 * - Apple clients pick their algorithms from GetCACaps (iOS 10+ refuses a CA without a SHA-x
 *   capability) and, on macOS, want the CA certificate's keyUsage to allow digitalSignature and
 *   keyEncipherment (RFC 8894 §2.1.2): see describeScepCaProblems().
 */

/** The tenant CA that signs SCEP replies, decrypts requests and issues certificates. */
export interface ScepCa {
  /** The issuing CA certificate (PEM; further PEM blocks after the first are treated as chain). */
  certificatePem: string;
  /** Its RSA private key (PEM, unencrypted, 2048 bits or more). */
  privateKeyPem: string;
  /** Certificates above the CA (intermediates, root), returned by GetCACert as a PKCS#7 chain. */
  chainPem?: string[];
}

export type ScepRequestMessageType = 'PKCSReq' | 'RenewalReq';

/** What `decide` sees: a request whose signature, envelope and CSR have all been checked. */
export interface ScepCsrRequest {
  transactionId: string;
  messageType: ScepRequestMessageType;
  /** The CSR's challengePassword attribute (Apple: the SCEP payload's `Challenge`). */
  challengePassword?: string;
  /** RFC 4514-style subject of the CSR, e.g. "CN=device,O=Rempart". */
  subject: string;
  /** The same subject as attributes, most significant first. */
  subjectAttributes: { oid: string; type: string; value: string }[];
  csrPem: string;
  publicKeyPem: string;
  keyBits: number;
  /** The certificate that signed the request: self-signed for PKCSReq, the current one for RenewalReq. */
  signerCertificatePem: string;
  /** Whether that signer certificate was issued by this CA (a renewal by a certificate we issued). */
  signerIssuedByCa: boolean;
  /** OIDs of extensions the CSR asked for (not copied into the certificate). */
  requestedExtensions: string[];
}

export type ScepDecision =
  { issue: true; validityDays?: number } | { issue: false; failInfo: ScepFailInfo; reason: string };

export interface ScepResponse {
  status: number;
  contentType: string;
  body: Buffer;
}

export interface ScepOutcome {
  status: Extract<ScepPkiStatus, 'SUCCESS' | 'FAILURE'>;
  failInfo?: ScepFailInfo;
  reason?: string;
  transactionId?: string;
  messageType?: string;
  subject?: string;
  certificatePem?: string;
  serialNumber?: string;
}

export type ScepPkiOperationResult = ScepResponse & { outcome: ScepOutcome };

export interface ScepHttpRequest {
  method: string;
  query: Record<string, string | string[] | undefined>;
  body?: Buffer;
}

export type ScepHandleResult = ScepResponse & { operation: ScepOperation; outcome?: ScepOutcome };

export interface ScepServerOptions {
  now?: () => Date;
  /** Validity of issued certificates when `decide` does not say (default 365 days). */
  defaultValidityDays?: number;
  /** Largest accepted PKIOperation message (default 128 KiB). */
  maxMessageBytes?: number;
}

export type ScepOperation = 'GetCACaps' | 'GetCACert' | 'PKIOperation' | 'GetNextCACert';

const OPERATIONS: ScepOperation[] = ['GetCACaps', 'GetCACert', 'PKIOperation', 'GetNextCACert'];

/**
 * RFC 8894 §3.5.2. SCEPStandard implies AES, POSTPKIOperation and SHA-256; the older names are
 * listed too for clients that predate it. GetNextCACert (CA rollover) is not offered: it answers 501.
 */
export const SCEP_CAPABILITIES = [
  'POSTPKIOperation',
  'Renewal',
  'SHA-1',
  'SHA-256',
  'SHA-512',
  'AES',
  'DES3',
  'SCEPStandard',
] as const;

export const SCEP_CONTENT_TYPES = {
  caps: 'text/plain',
  caCert: 'application/x-x509-ca-cert',
  caRaCert: 'application/x-x509-ca-ra-cert',
  pkiMessage: 'application/x-pki-message',
} as const;

interface LoadedCa {
  certificate: X509Certificate;
  fields: CertificateFields;
  privateKey: KeyObject;
  chainDer: Buffer[];
  recipient: EnvelopeRecipient;
}

interface CheckedRequest {
  ok: true;
  csr: CertificationRequest;
  cipher: ContentCipher;
  signerCertificate: X509Certificate;
  signerFields: CertificateFields;
  signerIssuedByCa: boolean;
  keyBits: number;
}

interface RefusedRequest {
  ok: false;
  failInfo: ScepFailInfo;
  reason: string;
  subject?: string;
}

const CA_CACHE_SIZE = 32;

function loadCaUncached(ca: ScepCa): LoadedCa {
  try {
    const [leafPem, ...restPem] = splitPemCertificates(ca?.certificatePem ?? '');
    if (leafPem === undefined) throw new SigningIdentityError('INVALID_CERTIFICATE', 'no PEM certificate');
    const certificate = parseCertificate(leafPem, 'the SCEP CA certificate');
    const privateKey = parseRsaPrivateKey(ca.privateKeyPem, 'the SCEP CA private key');
    if (!certificate.checkPrivateKey(privateKey)) {
      throw new SigningIdentityError(
        'KEY_MISMATCH',
        'the SCEP CA private key does not match its certificate',
      );
    }
    const chainDer = [...restPem, ...(ca.chainPem ?? []).flatMap(splitPemCertificates)]
      .map((pem, i) => parseCertificate(pem, `SCEP CA chain certificate #${i + 1}`).raw)
      .filter((der) => !der.equals(certificate.raw));
    const fields = readCertificateFields(Buffer.from(certificate.raw));
    return {
      certificate,
      fields,
      privateKey,
      chainDer,
      recipient: {
        issuerDer: fields.issuerDer,
        serialMagnitude: fields.serialMagnitude,
        subjectKeyIdentifier: subjectKeyIdentifierOf(fields),
        privateKey,
      },
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ScepError('CA_MISCONFIGURED', `SCEP CA unusable: ${message}`);
  }
}

/**
 * Problems that make a CA certificate a poor SCEP CA (empty when none): not a CA, outside its
 * validity, or a keyUsage without digitalSignature/keyEncipherment, which RFC 8894 §2.1.2
 * requires and macOS's SCEP client enforces when it picks the certificate to encrypt to.
 */
export function describeScepCaProblems(ca: ScepCa, now: Date = new Date()): string[] {
  const loaded = loadCaUncached(ca);
  const problems: string[] = [];
  if (!loaded.certificate.ca)
    problems.push('the certificate is not a CA certificate (basicConstraints CA:FALSE or absent)');
  if (now < new Date(loaded.certificate.validFrom)) problems.push('the certificate is not valid yet');
  if (now > new Date(loaded.certificate.validTo)) problems.push('the certificate has expired');
  const usage = keyUsageOf(loaded.fields);
  if (usage !== undefined) {
    for (const needed of ['digitalSignature', 'keyEncipherment', 'keyCertSign'] as const) {
      if (!usage.includes(needed)) problems.push(`keyUsage lacks ${needed}`);
    }
  }
  return problems;
}

function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export class ScepServer {
  private readonly now: () => Date;
  private readonly defaultValidityDays: number;
  private readonly maxMessageBytes: number;
  private readonly caCache = new Map<string, LoadedCa>();

  constructor(options: ScepServerOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.defaultValidityDays = options.defaultValidityDays ?? 365;
    this.maxMessageBytes = options.maxMessageBytes ?? 128 * 1024;
    if (!Number.isInteger(this.defaultValidityDays) || this.defaultValidityDays < 1) {
      throw new RangeError('defaultValidityDays must be a positive integer');
    }
  }

  /** GetCACaps: the capabilities, one per line, as text/plain. */
  getCaCaps(): ScepResponse {
    return {
      status: 200,
      contentType: SCEP_CONTENT_TYPES.caps,
      body: Buffer.from(SCEP_CAPABILITIES.join('\n')),
    };
  }

  /**
   * GetCACert: the CA certificate as DER (application/x-x509-ca-cert) or, when there is a chain,
   * a degenerate PKCS#7 with the CA first and then the chain (application/x-x509-ca-ra-cert).
   */
  getCaCert(ca: ScepCa): ScepResponse {
    const loaded = this.loadCa(ca);
    if (loaded.chainDer.length === 0) {
      return {
        status: 200,
        contentType: SCEP_CONTENT_TYPES.caCert,
        body: Buffer.from(loaded.certificate.raw),
      };
    }
    return {
      status: 200,
      contentType: SCEP_CONTENT_TYPES.caRaCert,
      body: degenerateCertificates([Buffer.from(loaded.certificate.raw), ...loaded.chainDer]),
    };
  }

  /**
   * Reads `operation` and the message: the POST body for PKIOperation, else the GET `message`
   * parameter (base64; tolerates URL-encoding left in, '+' turned into ' ', and base64url).
   * `query` values are as an HTTP framework decodes them.
   */
  parseOperationRequest(
    query: Record<string, string | string[] | undefined>,
    body?: Buffer,
  ): { operation: ScepOperation; message?: Buffer } {
    const raw = firstValue(query.operation);
    if (raw === undefined || raw === '')
      throw new ScepError('UNKNOWN_OPERATION', 'the operation parameter is missing');
    const operation = OPERATIONS.find((name) => name.toLowerCase() === raw.toLowerCase());
    if (operation === undefined) {
      throw new ScepError('UNKNOWN_OPERATION', `unknown SCEP operation ${JSON.stringify(raw.slice(0, 40))}`);
    }
    if (operation !== 'PKIOperation') return { operation };
    if (body !== undefined && body.length > 0) return { operation, message: this.bodyMessage(body) };
    const param = firstValue(query.message);
    if (param === undefined || param.trim() === '') {
      throw new ScepError(
        'MISSING_MESSAGE',
        'PKIOperation needs a message (POST body or GET message parameter)',
      );
    }
    return { operation, message: this.decodeBase64(param) };
  }

  /** Routes one HTTP request; throws ScepError for requests that get no SCEP answer (see scepErrorResponse). */
  async handle(
    request: ScepHttpRequest,
    ca: ScepCa,
    decide: (request: ScepCsrRequest) => Promise<ScepDecision>,
  ): Promise<ScepHandleResult> {
    const method = request.method.toUpperCase();
    if (method !== 'GET' && method !== 'POST') {
      throw new ScepError('METHOD_NOT_ALLOWED', `SCEP does not use HTTP ${method}`);
    }
    const { operation, message } = this.parseOperationRequest(
      request.query,
      method === 'POST' ? request.body : undefined,
    );
    switch (operation) {
      case 'GetCACaps':
        return { ...this.getCaCaps(), operation };
      case 'GetCACert':
        return { ...this.getCaCert(ca), operation };
      case 'PKIOperation':
        return { ...(await this.pkiOperation(message!, ca, decide)), operation };
      default:
        throw new ScepError('UNSUPPORTED_OPERATION', `${operation} is not supported`);
    }
  }

  /**
   * PKIOperation: verifies and opens a PKCSReq/RenewalReq, asks `decide`, and answers with a
   * CertRep signed by the CA (SUCCESS with the certificate encrypted to the requester, or
   * FAILURE with a failInfo). Throws ScepError when the message is not a readable SCEP request.
   * Errors thrown by `decide` are passed through (the caller answers 500; clients retry).
   */
  async pkiOperation(
    message: Buffer,
    ca: ScepCa,
    decide: (request: ScepCsrRequest) => Promise<ScepDecision>,
  ): Promise<ScepPkiOperationResult> {
    const loaded = this.loadCa(ca);
    if (message.length === 0) throw new ScepError('MISSING_MESSAGE', 'the PKIOperation message is empty');
    if (message.length > this.maxMessageBytes) {
      throw new ScepError(
        'MESSAGE_TOO_LARGE',
        `the PKIOperation message exceeds ${this.maxMessageBytes} bytes`,
      );
    }
    let parsed: PkiMessage;
    let messageTypeCode: number;
    let transactionId: { value: string; der: Buffer };
    let senderNonce: Buffer;
    try {
      parsed = parsePkiMessage(message);
      const type = stringAttribute(parsed, OID.scepMessageType);
      const id = stringAttribute(parsed, OID.scepTransactionId);
      const nonce = octetAttribute(parsed, OID.scepSenderNonce);
      if (type === undefined || !/^\d{1,3}$/.test(type.value))
        throw new Error('messageType attribute missing or invalid');
      if (id === undefined || id.value === '') throw new Error('transactionID attribute missing');
      if (nonce === undefined || nonce.length === 0) throw new Error('senderNonce attribute missing');
      messageTypeCode = Number(type.value);
      transactionId = id;
      senderNonce = nonce;
    } catch (error) {
      throw new ScepError(
        'MALFORMED_MESSAGE',
        `the message is not a SCEP pkiMessage: ${(error as Error).message}`,
      );
    }

    const now = this.now();
    const typeName = messageTypeName(messageTypeCode) ?? String(messageTypeCode);
    const reply = (
      status: 'SUCCESS' | 'FAILURE',
      extra: { failInfo?: ScepFailInfo; content?: Buffer; issuedDer?: Buffer },
    ): Buffer => {
      const attributes = [
        attribute(OID.scepMessageType, printableString(String(MESSAGE_TYPES.CertRep))),
        attribute(OID.scepPkiStatus, printableString(PKI_STATUS[status])),
        attribute(OID.scepTransactionId, transactionId.der),
        attribute(OID.scepRecipientNonce, octetString(senderNonce)),
        attribute(OID.scepSenderNonce, octetString(randomBytes(16))),
      ];
      if (extra.failInfo !== undefined) {
        attributes.push(attribute(OID.scepFailInfo, printableString(FAIL_INFO_CODES[extra.failInfo])));
      }
      return signPkiMessage({
        signerCertificate: loaded.fields,
        privateKey: loaded.privateKey,
        hash: 'sha256',
        content: extra.content,
        attributes,
        certificates: extra.issuedDer ? [extra.issuedDer, loaded.fields.der] : [loaded.fields.der],
        signingTime: now,
      });
    };
    const fail = (failInfo: ScepFailInfo, reason: string, subject?: string): ScepPkiOperationResult => ({
      status: 200,
      contentType: SCEP_CONTENT_TYPES.pkiMessage,
      body: reply('FAILURE', { failInfo }),
      outcome: {
        status: 'FAILURE',
        failInfo,
        reason,
        transactionId: transactionId.value,
        messageType: typeName,
        subject,
      },
    });

    if (messageTypeCode !== MESSAGE_TYPES.PKCSReq && messageTypeCode !== MESSAGE_TYPES.RenewalReq) {
      return fail('badRequest', `unsupported messageType ${typeName}`);
    }
    let checked: CheckedRequest | RefusedRequest;
    try {
      checked = this.checkRequest(parsed, loaded);
    } catch (error) {
      // Safety net: anything the checks did not foresee is the client's malformed request.
      checked = {
        ok: false,
        failInfo: 'badRequest',
        reason: `unreadable request: ${(error as Error).message}`,
      };
    }
    if (!checked.ok) return fail(checked.failInfo, checked.reason, checked.subject);
    const { csr, cipher, signerCertificate, signerFields, signerIssuedByCa, keyBits } = checked;
    const decision = await decide({
      transactionId: transactionId.value,
      messageType: messageTypeCode === MESSAGE_TYPES.PKCSReq ? 'PKCSReq' : 'RenewalReq',
      challengePassword: csr.challengePassword,
      subject: csr.subject,
      subjectAttributes: csr.subjectAttributes,
      csrPem: csr.pem,
      publicKeyPem: csr.publicKeyPem,
      keyBits,
      signerCertificatePem: signerCertificate.toString(),
      signerIssuedByCa,
      requestedExtensions: csr.requestedExtensions,
    });
    if (!decision.issue) {
      if (!(decision.failInfo in FAIL_INFO_CODES))
        throw new TypeError(`unknown failInfo ${decision.failInfo}`);
      return fail(decision.failInfo, decision.reason, csr.subject);
    }
    const validityDays = decision.validityDays ?? this.defaultValidityDays;
    if (!Number.isInteger(validityDays) || validityDays < 1) {
      throw new RangeError('validityDays must be a positive integer');
    }
    const issued = issueCertificate({
      ca: { fields: loaded.fields, certificate: loaded.certificate, privateKey: loaded.privateKey },
      subjectDer: csr.subjectDer,
      subjectPublicKeyInfoDer: csr.subjectPublicKeyInfoDer,
      now,
      validityDays,
    });
    const envelope = sealEnvelope(
      degenerateCertificates([issued.der]),
      {
        issuerDer: signerFields.issuerDer,
        serialDer: signerFields.serialDer,
        publicKey: signerCertificate.publicKey,
      },
      cipher,
    );
    return {
      status: 200,
      contentType: SCEP_CONTENT_TYPES.pkiMessage,
      body: reply('SUCCESS', { content: envelope, issuedDer: issued.der }),
      outcome: {
        status: 'SUCCESS',
        transactionId: transactionId.value,
        messageType: typeName,
        subject: csr.subject,
        certificatePem: issued.pem,
        serialNumber: issued.serialNumberHex,
      },
    };
  }

  /** Signature, envelope and CSR checks, in the order RFC 8894 implies; no side effects. */
  private checkRequest(parsed: PkiMessage, loaded: LoadedCa): CheckedRequest | RefusedRequest {
    const verified = verifyPkiMessage(parsed);
    if (!verified.ok) {
      return {
        ok: false,
        failInfo: verified.unsupportedAlgorithm ? 'badAlg' : 'badMessageCheck',
        reason: verified.reason,
      };
    }
    const signerCertificate = parsed.signer.certificate!;
    const signerFields = parsed.signer.certificateFields!;
    if (signerCertificate.publicKey.asymmetricKeyType !== 'rsa') {
      return {
        ok: false,
        failInfo: 'badAlg',
        reason: 'the signer certificate key is not RSA, so the reply cannot be encrypted to it',
      };
    }
    if (parsed.eContentType !== OID.data || parsed.content === undefined || parsed.content.length === 0) {
      return { ok: false, failInfo: 'badRequest', reason: 'the request carries no pkcsPKIEnvelope' };
    }
    let csr: CertificationRequest;
    let cipher: ContentCipher;
    try {
      const opened = openEnvelope(parsed.content, loaded.recipient);
      cipher = opened.cipher;
      csr = parseCertificationRequest(opened.content);
    } catch (error) {
      if (error instanceof EnvelopeError)
        return { ok: false, failInfo: error.failInfo, reason: error.message };
      return { ok: false, failInfo: 'badRequest', reason: `malformed CSR: ${(error as Error).message}` };
    }
    const refuse = (failInfo: ScepFailInfo, reason: string): RefusedRequest => ({
      ok: false,
      failInfo,
      reason,
      subject: csr.subject,
    });
    const csrCheck = verifyCertificationRequest(csr);
    if (!csrCheck.ok)
      return refuse(csrCheck.unsupportedAlgorithm ? 'badAlg' : 'badMessageCheck', csrCheck.reason);
    if (csr.keyType !== 'rsa') return refuse('badAlg', `${csr.keyType} keys are not issued; RSA 2048+ only`);
    const keyBits = csr.keyBits ?? 0;
    if (keyBits < 2048) return refuse('badAlg', `RSA-${keyBits} is too weak; RSA 2048+ only`);
    let signerIssuedByCa: boolean;
    try {
      signerIssuedByCa =
        signerCertificate.checkIssued(loaded.certificate) &&
        signerCertificate.verify(loaded.certificate.publicKey);
    } catch {
      signerIssuedByCa = false;
    }
    return { ok: true, csr, cipher, signerCertificate, signerFields, signerIssuedByCa, keyBits };
  }

  private loadCa(ca: ScepCa): LoadedCa {
    const key = createHash('sha256')
      .update(JSON.stringify([ca?.certificatePem, ca?.privateKeyPem, ca?.chainPem ?? []]))
      .digest('hex');
    const cached = this.caCache.get(key);
    if (cached !== undefined) return cached;
    const loaded = loadCaUncached(ca);
    if (this.caCache.size >= CA_CACHE_SIZE) this.caCache.delete(this.caCache.keys().next().value!);
    this.caCache.set(key, loaded);
    return loaded;
  }

  private bodyMessage(body: Buffer): Buffer {
    if (body.length > this.maxMessageBytes * 2) {
      throw new ScepError(
        'MESSAGE_TOO_LARGE',
        `the PKIOperation message exceeds ${this.maxMessageBytes} bytes`,
      );
    }
    // RFC 8894 POSTs binary DER; a few clients POST base64 text instead.
    if (body[0] !== 0x30) {
      const text = body.toString('latin1').replace(/\s+/g, '');
      if (text.length > 0 && BASE64.test(text)) return this.decodeBase64(text);
    }
    return body;
  }

  private decodeBase64(raw: string): Buffer {
    if (raw.length > Math.ceil((this.maxMessageBytes * 4) / 3) * 3 + 16) {
      throw new ScepError(
        'MESSAGE_TOO_LARGE',
        `the PKIOperation message exceeds ${this.maxMessageBytes} bytes`,
      );
    }
    let text = raw.trim();
    if (/%[0-9a-fA-F]{2}/.test(text)) {
      try {
        text = decodeURIComponent(text);
      } catch {
        throw new ScepError('MALFORMED_MESSAGE', 'the message parameter is badly URL-encoded');
      }
    }
    // A '+' decoded as a space by form-style query parsing; line breaks from MIME-style base64; base64url.
    text = text.replace(/ /g, '+').replace(/\s+/g, '').replace(/-/g, '+').replace(/_/g, '/');
    if (text === '' || !BASE64.test(text) || text.length % 4 === 1) {
      throw new ScepError('MALFORMED_MESSAGE', 'the message parameter is not base64');
    }
    return Buffer.from(text, 'base64');
  }
}

/** The plain-text HTTP answer for a ScepError. */
export function scepErrorResponse(error: ScepError): ScepResponse {
  return { status: error.httpStatus, contentType: 'text/plain', body: Buffer.from(`${error.message}\n`) };
}
