import {
  constants,
  createHash,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import {
  contentCipherFromOid,
  CONTENT_CIPHERS,
  decryptContent,
  digestFromOid,
  encryptContent,
  OID,
  type ContentCipher,
} from './algorithms.js';
import {
  algorithmIdentifier,
  contentBytes,
  DerError,
  expectOctetString,
  expectTag,
  explicit,
  implicit,
  integer,
  NULL,
  octetString,
  octetStringValue,
  oid,
  oidValue,
  parseTlv,
  sequence,
  set,
  smallInteger,
  TAG,
  tlvBytes,
  type Tlv,
} from '../asn1/der.js';
import type { ScepFailInfo } from './scep-types.js';

/*
 * CMS EnvelopedData (RFC 5652 §6) with key transport recipients, as SCEP uses it both ways: the
 * client encrypts its CSR to the CA certificate, the CA encrypts the issued certificate to the
 * client's signing certificate.
 */

/** A failure while opening an envelope, with the SCEP failInfo it maps to. */
export class EnvelopeError extends Error {
  constructor(
    readonly failInfo: ScepFailInfo,
    message: string,
  ) {
    super(message);
    this.name = 'EnvelopeError';
  }
}

/** Who an envelope is for: a certificate's issuer + serial (and key identifier) and the private key. */
export interface EnvelopeRecipient {
  /** DER Name, exactly as in the certificate. */
  issuerDer: Buffer;
  /** INTEGER contents without leading zeros. */
  serialMagnitude: Buffer;
  subjectKeyIdentifier?: Buffer;
  privateKey: KeyObject;
}

function stripZeros(bytes: Buffer): Buffer {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return bytes.subarray(i);
}

/**
 * RSAES-PKCS1-v1_5 decryption of a content-encryption key. Node refuses this padding for private
 * decryption (CVE-2023-46809, the Marvin timing attack), so the raw RSA result is unpadded here
 * with implicit rejection (RFC 3218 §2.3.2): a malformed block yields a random key of the expected
 * length instead of an error, so a client cannot tell bad padding from a wrong key. Both end in the
 * same failure when the content does not decrypt.
 */
function decryptPkcs1v15Key(privateKey: KeyObject, encryptedKey: Buffer, keyLength: number): Buffer {
  const modulusBytes = Math.ceil((privateKey.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
  const fallback = randomBytes(keyLength);
  if (encryptedKey.length > modulusBytes) return fallback;
  const input =
    encryptedKey.length < modulusBytes
      ? Buffer.concat([Buffer.alloc(modulusBytes - encryptedKey.length), encryptedKey])
      : encryptedKey;
  let block: Buffer;
  try {
    block = privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, input);
  } catch {
    return fallback;
  }
  // 0x00 0x02 PS (≥ 8 non-zero octets) 0x00 M, checked without early exits.
  let bad = block.length !== modulusBytes || block[0] !== 0 || block[1] !== 2 ? 1 : 0;
  let separator = 0;
  for (let i = 2; i < block.length; i++) {
    const isZero = block[i] === 0 ? 1 : 0;
    const first = isZero & (separator === 0 ? 1 : 0);
    separator = first ? i : separator;
  }
  if (separator < 10) bad = 1;
  if (block.length - separator - 1 !== keyLength) bad = 1;
  const key = block.subarray(block.length - keyLength);
  return bad ? fallback : Buffer.from(key);
}

function decryptOaepKey(privateKey: KeyObject, encryptedKey: Buffer, parameters: Tlv | undefined): Buffer {
  // RSAES-OAEP-params: [0] hashAlgorithm (default SHA-1), [1] maskGenAlgorithm (MGF1 with SHA-1), [2] pSource.
  let hash = 'sha1';
  let mgfHash = 'sha1';
  if (parameters !== undefined && parameters.tag === TAG.SEQUENCE) {
    for (const field of parameters.children) {
      if (field.tag === 0xa0) {
        hash =
          digestFromOid(oidValue(expectTag(field.children[0], TAG.SEQUENCE, 'OAEP hash').children[0])) ?? '';
      } else if (field.tag === 0xa1) {
        const mgf = expectTag(field.children[0], TAG.SEQUENCE, 'OAEP MGF');
        if (oidValue(mgf.children[0]) !== OID.mgf1)
          throw new EnvelopeError('badAlg', 'unsupported OAEP mask generation');
        mgfHash =
          digestFromOid(oidValue(expectTag(mgf.children[1], TAG.SEQUENCE, 'MGF1 hash').children[0])) ?? '';
      } else if (field.tag === 0xa2) {
        throw new EnvelopeError('badAlg', 'OAEP labels are not supported');
      }
    }
  }
  if (hash === '' || hash !== mgfHash) throw new EnvelopeError('badAlg', 'unsupported RSAES-OAEP parameters');
  try {
    return privateDecrypt(
      { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash },
      encryptedKey,
    );
  } catch {
    throw new EnvelopeError('badMessageCheck', 'the content-encryption key does not decrypt with the CA key');
  }
}

interface KeyTransRecipient {
  matches: boolean;
  keyEncryptionOid: string;
  keyEncryptionParameters?: Tlv;
  encryptedKey: Buffer;
}

function readKeyTransRecipient(info: Tlv, recipient: EnvelopeRecipient): KeyTransRecipient {
  const [version, rid, keyEncryption, encryptedKey] = info.children;
  smallInteger(expectTag(version, TAG.INTEGER, 'KeyTransRecipientInfo.version'));
  let matches: boolean;
  if (rid?.tag === TAG.SEQUENCE) {
    const [issuer, serial] = rid.children;
    expectTag(issuer, TAG.SEQUENCE, 'recipient issuer');
    matches =
      tlvBytes(issuer).equals(recipient.issuerDer) &&
      stripZeros(contentBytes(expectTag(serial, TAG.INTEGER, 'recipient serial'))).equals(
        recipient.serialMagnitude,
      );
  } else if (rid?.tag === 0x80) {
    matches =
      recipient.subjectKeyIdentifier !== undefined &&
      contentBytes(rid).equals(recipient.subjectKeyIdentifier);
  } else {
    throw new DerError('unsupported RecipientIdentifier');
  }
  const algorithm = expectTag(keyEncryption, TAG.SEQUENCE, 'keyEncryptionAlgorithm');
  return {
    matches,
    keyEncryptionOid: oidValue(algorithm.children[0]),
    keyEncryptionParameters: algorithm.children[1],
    encryptedKey: expectOctetString(encryptedKey, 'encryptedKey'),
  };
}

/**
 * Opens a DER/BER ContentInfo holding EnvelopedData. Throws EnvelopeError (badRequest for a
 * malformed structure, badAlg for unsupported algorithms, badMessageCheck when it is not for this
 * recipient or does not decrypt).
 */
export function openEnvelope(
  contentInfoDer: Buffer,
  recipient: EnvelopeRecipient,
): { content: Buffer; cipher: ContentCipher } {
  let recipients: KeyTransRecipient[];
  let cipher: ContentCipher | undefined;
  let iv: Buffer;
  let encrypted: Buffer;
  let cipherOid: string;
  try {
    const contentInfo = expectTag(parseTlv(contentInfoDer), TAG.SEQUENCE, 'ContentInfo');
    if (oidValue(contentInfo.children[0]) !== OID.envelopedData) {
      throw new DerError('the pkcsPKIEnvelope is not EnvelopedData');
    }
    const envelopedData = expectTag(
      expectTag(contentInfo.children[1], 0xa0, 'ContentInfo.content').children[0],
      TAG.SEQUENCE,
      'EnvelopedData',
    );
    const fields = [...envelopedData.children];
    expectTag(fields.shift(), TAG.INTEGER, 'EnvelopedData.version');
    if (fields[0]?.tag === 0xa0) fields.shift(); // originatorInfo
    const recipientInfos = expectTag(fields.shift(), TAG.SET, 'recipientInfos');
    recipients = recipientInfos.children
      .filter((info) => info.tag === TAG.SEQUENCE) // KeyTransRecipientInfo; other kinds are [n]-tagged
      .map((info) => readKeyTransRecipient(info, recipient));
    const encryptedContentInfo = expectTag(fields.shift(), TAG.SEQUENCE, 'EncryptedContentInfo');
    const [, algorithm, encryptedContent] = encryptedContentInfo.children;
    oidValue(encryptedContentInfo.children[0]);
    const algorithmSeq = expectTag(algorithm, TAG.SEQUENCE, 'contentEncryptionAlgorithm');
    cipherOid = oidValue(algorithmSeq.children[0]);
    cipher = contentCipherFromOid(cipherOid);
    iv =
      algorithmSeq.children[1]?.tag === TAG.OCTET_STRING
        ? contentBytes(algorithmSeq.children[1])
        : Buffer.alloc(0);
    if (encryptedContent === undefined || (encryptedContent.tag !== 0x80 && encryptedContent.tag !== 0xa0)) {
      throw new DerError('the envelope has no encrypted content');
    }
    encrypted = octetStringValue(encryptedContent);
  } catch (error) {
    if (error instanceof EnvelopeError) throw error;
    throw new EnvelopeError('badRequest', `malformed EnvelopedData: ${(error as Error).message}`);
  }
  if (cipher === undefined)
    throw new EnvelopeError('badAlg', `unsupported content encryption algorithm ${cipherOid}`);
  if (iv.length !== cipher.ivLength) throw new EnvelopeError('badRequest', `bad ${cipher.name} IV`);
  if (recipients.length === 0)
    throw new EnvelopeError('badAlg', 'the envelope has no key transport recipient');
  // Only a recipient that names this CA is tried: decrypting one meant for another key yields a
  // random key (implicit rejection), whose garbage would fail at an unpredictable later step.
  const candidates = recipients.filter((info) => info.matches);
  if (candidates.length === 0) {
    throw new EnvelopeError('badMessageCheck', 'the envelope is not encrypted to this CA certificate');
  }
  const target = candidates[0];
  let key: Buffer;
  if (target.keyEncryptionOid === OID.rsaEncryption) {
    key = decryptPkcs1v15Key(recipient.privateKey, target.encryptedKey, cipher.keyLength);
  } else if (target.keyEncryptionOid === OID.rsaesOaep) {
    key = decryptOaepKey(recipient.privateKey, target.encryptedKey, target.keyEncryptionParameters);
  } else {
    throw new EnvelopeError('badAlg', `unsupported key encryption algorithm ${target.keyEncryptionOid}`);
  }
  try {
    return { content: decryptContent(cipher, key, iv, encrypted), cipher };
  } catch {
    throw new EnvelopeError('badMessageCheck', 'the envelope does not decrypt with the CA key');
  }
}

/** The recipient of a reply: a certificate (issuer + serial as encoded in it) and its RSA public key. */
export interface SealRecipient {
  issuerDer: Buffer;
  serialDer: Buffer;
  publicKey: KeyObject;
}

/** EnvelopedData (version 0, RSA PKCS#1 v1.5 key transport to each recipient) around `content`, as a DER ContentInfo. */
export function sealEnvelope(
  content: Buffer,
  recipients: SealRecipient | SealRecipient[],
  cipher: ContentCipher,
): Buffer {
  const usable = cipher.name === 'des-cbc' ? CONTENT_CIPHERS['des-ede3-cbc'] : cipher;
  const { key, iv, ciphertext } = encryptContent(usable, content);
  const recipientInfos = (Array.isArray(recipients) ? recipients : [recipients]).map((recipient) =>
    sequence(
      integer(0),
      sequence(recipient.issuerDer, recipient.serialDer),
      algorithmIdentifier(OID.rsaEncryption, NULL),
      octetString(publicEncrypt({ key: recipient.publicKey, padding: constants.RSA_PKCS1_PADDING }, key)),
    ),
  );
  const envelopedData = sequence(
    integer(0),
    set(...recipientInfos),
    sequence(oid(OID.data), algorithmIdentifier(usable.oid, octetString(iv)), implicit(0, false, ciphertext)),
  );
  return sequence(oid(OID.envelopedData), explicit(0, envelopedData));
}

/** SHA-1 of a SubjectPublicKeyInfo's key bits: the RFC 5280 §4.2.1.2 (1) key identifier. */
export function keyIdentifier(subjectPublicKeyInfoDer: Buffer): Buffer {
  const spki = expectTag(parseTlv(subjectPublicKeyInfoDer), TAG.SEQUENCE, 'SubjectPublicKeyInfo');
  const bits = contentBytes(expectTag(spki.children[1], TAG.BIT_STRING, 'subjectPublicKey'));
  return createHash('sha1').update(bits.subarray(1)).digest();
}
