import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { attribute, issuerAndSerialNumber, publicKeyDer } from '../simulators/cms.js';
import {
  bitString,
  contextTag,
  derNull,
  integer,
  octetString,
  oid,
  sequence,
  setOf,
  time,
  utf8String,
} from '../simulators/der.js';

/*
 * Requests a stranger can send to the phone-facing endpoints without any enrollment: check-ins
 * whose Mdm-Signature verifies over the body, but with self-signed certificates nobody trusts. Each
 * call makes new certificates, as an attacker exhausting a cache would. ECDSA P-256 keeps making
 * ten thousand of them fast; the server's verifier accepts ECDSA signers.
 */

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  sha256: '2.16.840.1.101.3.4.2.1',
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  commonName: '2.5.4.3',
};

export interface StrangerKey {
  privateKey: KeyObject;
  spki: Buffer;
}

export function strangerKey(): StrangerKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, spki: publicKeyDer(privateKey) };
}

/** A self-signed certificate with a random serial and subject (so its DER is unique). */
export function randomSelfSignedCertificate(key: StrangerKey): Buffer {
  const algorithm = sequence(oid(OID.ecdsaWithSha256));
  const name = sequence(
    setOf(sequence(oid(OID.commonName), utf8String(`stranger-${randomBytes(12).toString('hex')}`))),
  );
  const now = Date.now();
  const tbs = sequence(
    contextTag(0, integer(2)),
    integer(randomBytes(16)),
    algorithm,
    name,
    sequence(time(new Date(now - 3_600_000)), time(new Date(now + 86_400_000))),
    name,
    key.spki,
  );
  return sequence(tbs, algorithm, bitString(sign('sha256', tbs, key.privateKey)));
}

/**
 * The base64 Mdm-Signature of `body`: a detached CMS SignedData signed by a fresh random certificate,
 * with `extraCertificates` more random certificates embedded (an attacker may send up to 16).
 */
export function strangerSignature(body: Buffer, key: StrangerKey, extraCertificates = 0): string {
  const certificate = randomSelfSignedCertificate(key);
  const extras = Array.from({ length: extraCertificates }, () => randomSelfSignedCertificate(key));
  const digestAlgorithm = sequence(oid(OID.sha256), derNull());
  const attributes = setOf(
    attribute(OID.contentType, oid(OID.data)),
    attribute(OID.signingTime, time(new Date())),
    attribute(OID.messageDigest, octetString(createHash('sha256').update(body).digest())),
  );
  const signerInfo = sequence(
    integer(1),
    issuerAndSerialNumber(certificate),
    digestAlgorithm,
    Buffer.concat([Buffer.from([0xa0]), attributes.subarray(1)]), // [0] IMPLICIT SET OF
    sequence(oid(OID.ecdsaWithSha256)),
    octetString(sign('sha256', attributes, key.privateKey)),
  );
  const signedData = sequence(
    integer(1),
    setOf(digestAlgorithm),
    sequence(oid(OID.data)),
    contextTag(0, [certificate, ...extras]),
    setOf(signerInfo),
  );
  return sequence(oid(OID.signedData), contextTag(0, signedData)).toString('base64');
}
