import {
  createHash,
  createPrivateKey,
  createPublicKey,
  randomBytes,
  sign,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import { CONTENT_CIPHERS, OID, type HashName } from './algorithms.js';
import { readCertificateFields } from './certificate-fields.js';
import { nameTypeOid } from './distinguished-name.js';
import {
  algorithmIdentifier,
  explicit,
  implicit,
  integer,
  NULL,
  octetString,
  oid,
  printableString,
  sequence,
  set,
  time,
  bitString,
  utf8String,
} from '../asn1/der.js';
import { openEnvelope, sealEnvelope } from './envelope.js';
import {
  attribute,
  certificatesOf,
  octetAttribute,
  parsePkiMessage,
  signPkiMessage,
  stringAttribute,
  verifyPkiMessage,
} from './pki-message.js';
import {
  failInfoFromCode,
  MESSAGE_TYPES,
  PKI_STATUS,
  type ScepFailInfo,
  type ScepPkiStatus,
} from './scep-types.js';

/*
 * The client side of SCEP, small: enough to play a device in tests and simulators (build a
 * PKCSReq/RenewalReq, read the CertRep). Real devices use their own SCEP clients.
 */

const SIGNATURE_OIDS: Record<HashName, string> = {
  sha1: OID.sha1WithRsa,
  sha224: OID.sha224WithRsa,
  sha256: OID.sha256WithRsa,
  sha384: OID.sha384WithRsa,
  sha512: OID.sha512WithRsa,
};

export interface CreateScepRequestOptions {
  /** Certificates to encrypt the CSR to (from GetCACert), PEM or DER; normally just the CA. */
  recipientCertificates: (string | Buffer)[];
  /** The requester's RSA private key (PEM or KeyObject). */
  privateKey: string | KeyObject;
  /** The certificate signing the request; default: a self-signed one made for the key (as for PKCSReq). */
  signerCertificatePem?: string;
  /** Subject as [type, value] pairs, most significant first: [['O', 'Rempart'], ['CN', 'device']]. */
  subject: [string, string][];
  challengePassword?: string;
  messageType?: 'PKCSReq' | 'RenewalReq';
  cipher?: 'aes-128-cbc' | 'aes-256-cbc' | 'des-ede3-cbc';
  /** Digest for the CSR and the message signature (default sha256). */
  hash?: HashName;
  transactionId?: string;
  now?: Date;
  /** A ready-made PKCS#10 request (DER) to send instead of one built from subject/challengePassword. */
  csrDer?: Buffer;
}

export interface ScepRequestMessage {
  message: Buffer;
  transactionId: string;
  senderNonce: Buffer;
  csrDer: Buffer;
  signerCertificatePem: string;
}

function buildName(pairs: [string, string][]): Buffer {
  return sequence(
    ...pairs.map(([type, value]) => {
      const id = nameTypeOid(type);
      // countryName is a PrintableString (RFC 5280 appendix A); the rest UTF8String.
      return set(sequence(oid(id), id === '2.5.4.6' ? printableString(value) : utf8String(value)));
    }),
  );
}

function selfSignedCertificate(
  key: KeyObject,
  subjectDer: Buffer,
  spkiDer: Buffer,
  now: Date,
  hash: HashName,
): string {
  const algorithm = algorithmIdentifier(SIGNATURE_OIDS[hash], NULL);
  const tbs = sequence(
    explicit(0, integer(2)),
    integer(randomBytes(16)),
    algorithm,
    subjectDer,
    sequence(time(new Date(now.getTime() - 3600_000)), time(new Date(now.getTime() + 3600_000))),
    subjectDer,
    spkiDer,
  );
  const der = sequence(tbs, algorithm, bitString(sign(hash, tbs, key)));
  return new X509Certificate(der).toString();
}

/** Builds a SCEP PKCSReq (or RenewalReq) pkiMessage, DER, ready to POST to `?operation=PKIOperation`. */
export function createScepRequest(options: CreateScepRequestOptions): ScepRequestMessage {
  const now = options.now ?? new Date();
  const hash = options.hash ?? 'sha256';
  const key =
    typeof options.privateKey === 'string' ? createPrivateKey(options.privateKey) : options.privateKey;
  const spkiDer = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const subjectDer = buildName(options.subject);

  const attributes: Buffer[] = [];
  if (options.challengePassword !== undefined) {
    attributes.push(attribute(OID.challengePassword, utf8String(options.challengePassword)));
  }
  const info = sequence(integer(0), subjectDer, spkiDer, implicit(0, true, attributes));
  const csrDer =
    options.csrDer ??
    sequence(info, algorithmIdentifier(SIGNATURE_OIDS[hash], NULL), bitString(sign(hash, info, key)));

  const signerCertificatePem =
    options.signerCertificatePem ?? selfSignedCertificate(key, subjectDer, spkiDer, now, hash);
  const signer = readCertificateFields(Buffer.from(new X509Certificate(signerCertificatePem).raw));
  const recipients = options.recipientCertificates.map((input) => {
    const certificate = new X509Certificate(input);
    const fields = readCertificateFields(Buffer.from(certificate.raw));
    return { issuerDer: fields.issuerDer, serialDer: fields.serialDer, publicKey: certificate.publicKey };
  });
  const envelope = sealEnvelope(csrDer, recipients, CONTENT_CIPHERS[options.cipher ?? 'aes-256-cbc']);
  const transactionId = options.transactionId ?? createHash('sha256').update(spkiDer).digest('hex');
  const senderNonce = randomBytes(16);
  const message = signPkiMessage({
    signerCertificate: signer,
    privateKey: key,
    hash,
    content: envelope,
    attributes: [
      attribute(
        OID.scepMessageType,
        printableString(String(MESSAGE_TYPES[options.messageType ?? 'PKCSReq'])),
      ),
      attribute(OID.scepTransactionId, printableString(transactionId)),
      attribute(OID.scepSenderNonce, octetString(senderNonce)),
    ],
    signingTime: now,
  });
  return { message, transactionId, senderNonce, csrDer, signerCertificatePem };
}

export interface ScepCertRep {
  status: ScepPkiStatus;
  failInfo?: ScepFailInfo;
  transactionId?: string;
  recipientNonce?: Buffer;
  senderNonce?: Buffer;
  /** Whether the CertRep signature verified (with caCertificatePem when given, else the embedded signer). */
  signatureValid: boolean;
  /** The issued certificate(s), decrypted (SUCCESS only). */
  certificatePems: string[];
}

/** Reads a CertRep; on SUCCESS decrypts the issued certificate with the requester's key and signing certificate. */
export function readCertRep(
  message: Buffer,
  options: { privateKey?: string | KeyObject; signerCertificatePem?: string; caCertificatePem?: string },
): ScepCertRep {
  const parsed = parsePkiMessage(message);
  const publicKey =
    options.caCertificatePem !== undefined
      ? new X509Certificate(options.caCertificatePem).publicKey
      : undefined;
  const signatureValid = verifyPkiMessage(parsed, publicKey ?? parsed.signer.certificate?.publicKey).ok;
  const statusCode = stringAttribute(parsed, OID.scepPkiStatus)?.value;
  const status = (Object.keys(PKI_STATUS) as ScepPkiStatus[]).find((name) => PKI_STATUS[name] === statusCode);
  if (status === undefined) throw new Error(`unknown pkiStatus ${statusCode}`);
  const failCode = stringAttribute(parsed, OID.scepFailInfo)?.value;
  const result: ScepCertRep = {
    status,
    failInfo: failCode === undefined ? undefined : failInfoFromCode(failCode),
    transactionId: stringAttribute(parsed, OID.scepTransactionId)?.value,
    recipientNonce: octetAttribute(parsed, OID.scepRecipientNonce),
    senderNonce: octetAttribute(parsed, OID.scepSenderNonce),
    signatureValid,
    certificatePems: [],
  };
  if (status === 'SUCCESS' && parsed.content !== undefined) {
    if (options.privateKey === undefined || options.signerCertificatePem === undefined) {
      throw new Error('privateKey and signerCertificatePem are needed to decrypt a SUCCESS CertRep');
    }
    const key =
      typeof options.privateKey === 'string' ? createPrivateKey(options.privateKey) : options.privateKey;
    const signer = readCertificateFields(Buffer.from(new X509Certificate(options.signerCertificatePem).raw));
    const { content } = openEnvelope(parsed.content, {
      issuerDer: signer.issuerDer,
      serialMagnitude: signer.serialMagnitude,
      privateKey: key,
    });
    result.certificatePems = certificatesOf(content).map((der) => new X509Certificate(der).toString());
  }
  return result;
}
