import forge from 'node-forge';
import { parseDer } from './certificates.js';
import { SigningIdentityError } from './signing-identity-error.js';

/*
 * Reads a PKCS#12 (.p12/.pfx) file with node-forge, which handles what OpenSSL 3 writes by default
 * (PBES2 / PBKDF2-HMAC-SHA256 / AES-256-CBC, SHA-256 MAC) and the legacy 3DES / RC2 files of older
 * tools and Keychain Access. Every failure becomes a SigningIdentityError: uploaded files are
 * untrusted input, so a corrupt file must never crash the caller.
 */

/** 64 KiB of DER: a key, a leaf and a few chain certificates take 5-10 KiB. */
export const MAX_PKCS12_BYTES = 64 * 1024;

/**
 * PBKDF2 / PKCS#12-KDF iteration counts above this are refused before any key derivation runs:
 * forge derives keys in pure JavaScript, so a crafted file with 2^31 iterations would block the
 * event loop for hours. Real files use 2,048 (OpenSSL) to 600,000 (recent password managers).
 */
export const MAX_PKCS12_ITERATIONS = 1_000_000;

export interface Pkcs12Contents {
  /** DER of every private key found (PKCS#8 PrivateKeyInfo, or PKCS#1 for RSA keys forge decoded). */
  keys: { der: Buffer; format: 'pkcs8' | 'pkcs1'; localKeyIdHex?: string }[];
  /** DER of every X.509 certificate found. */
  certificates: { der: Buffer; localKeyIdHex?: string }[];
}

function toBuffer(bytes: string): Buffer {
  return Buffer.from(bytes, 'binary');
}

function integerValue(bytes: string): number {
  if (bytes.length > 6) return Number.POSITIVE_INFINITY;
  let n = 0;
  for (let i = 0; i < bytes.length; i += 1) n = n * 256 + bytes.charCodeAt(i);
  return n;
}

/**
 * The largest iteration count visible without a password: the MAC's, the encrypted SafeContents'
 * and the shrouded key bags' that sit in unencrypted SafeContents. Every one of these is encoded as
 * `SEQUENCE { salt OCTET STRING, iterations INTEGER, ... }`. (A key bag nested inside encrypted
 * content is only reachable after the outer, checked, derivation; the size cap bounds the rest.)
 */
function largestIterationCount(node: forge.asn1.Asn1, depth: number): number {
  if (depth > 12 || !Array.isArray(node.value)) {
    // Primitive: an OCTET STRING may wrap more DER (PKCS#7 data, SafeContents).
    if (
      depth <= 12 &&
      node.tagClass === forge.asn1.Class.UNIVERSAL &&
      node.type === forge.asn1.Type.OCTETSTRING &&
      typeof node.value === 'string' &&
      node.value.charCodeAt(0) === 0x30
    ) {
      try {
        const inner = parseDer(node.value, {
          strict: true,
          parseAllBytes: true,
          decodeBitStrings: false,
        });
        return largestIterationCount(inner, depth + 1);
      } catch {
        return 0;
      }
    }
    return 0;
  }
  const children = node.value;
  let max = 0;
  for (let i = 0; i < children.length; i += 1) {
    const child = children[i];
    const next = children[i + 1];
    if (
      node.type === forge.asn1.Type.SEQUENCE &&
      child.type === forge.asn1.Type.OCTETSTRING &&
      next !== undefined &&
      next.tagClass === forge.asn1.Class.UNIVERSAL &&
      next.type === forge.asn1.Type.INTEGER &&
      typeof next.value === 'string'
    ) {
      max = Math.max(max, integerValue(next.value));
    }
    max = Math.max(max, largestIterationCount(child, depth + 1));
  }
  return max;
}

const BASE64 = /^[A-Za-z0-9+/\s]+={0,2}\s*$/;

/** Decodes and decrypts a base64 PKCS#12 file. */
export function readPkcs12(
  pkcs12Base64: string,
  password: string,
  maxBytes: number = MAX_PKCS12_BYTES,
): Pkcs12Contents {
  if (typeof pkcs12Base64 !== 'string' || typeof password !== 'string') {
    throw new SigningIdentityError('INVALID_INPUT', 'pkcs12Base64 and password must both be strings');
  }
  if (pkcs12Base64.length > Math.ceil((maxBytes * 4) / 3) + 1024) {
    throw new SigningIdentityError('INPUT_TOO_LARGE', `the PKCS#12 file is larger than ${maxBytes} bytes`);
  }
  if (!BASE64.test(pkcs12Base64)) {
    throw new SigningIdentityError('INVALID_PKCS12', 'the PKCS#12 file is not valid base64');
  }
  const der = Buffer.from(pkcs12Base64, 'base64');
  if (der.length > maxBytes) {
    throw new SigningIdentityError('INPUT_TOO_LARGE', `the PKCS#12 file is larger than ${maxBytes} bytes`);
  }

  let pfxAsn1: forge.asn1.Asn1;
  try {
    // Non-strict: some tools write BER (indefinite lengths) in PKCS#12 files.
    pfxAsn1 = parseDer(der.toString('binary'), {
      strict: false,
      parseAllBytes: true,
      decodeBitStrings: false,
    });
  } catch {
    throw new SigningIdentityError(
      'INVALID_PKCS12',
      'the PKCS#12 file is corrupt: not a readable ASN.1 structure',
    );
  }
  const iterations = largestIterationCount(pfxAsn1, 0);
  if (iterations > MAX_PKCS12_ITERATIONS) {
    throw new SigningIdentityError(
      'PKCS12_TOO_COSTLY',
      `the PKCS#12 file asks for ${Number.isFinite(iterations) ? iterations : 'over 2^48'} key-derivation iterations (limit ${MAX_PKCS12_ITERATIONS}); export it again with default settings`,
    );
  }

  let pfx: forge.pkcs12.Pkcs12Pfx;
  try {
    pfx = forge.pkcs12.pkcs12FromAsn1(pfxAsn1, false, password);
  } catch (error) {
    const message = String((error as Error)?.message ?? error);
    if (/password|decrypt/i.test(message)) {
      throw new SigningIdentityError(
        'WRONG_PASSWORD',
        'the PKCS#12 password is wrong (or the file is damaged): it could not be decrypted',
      );
    }
    throw new SigningIdentityError(
      'INVALID_PKCS12',
      `the PKCS#12 file is corrupt or unsupported: ${message.split('\n')[0]}`,
    );
  }

  const contents: Pkcs12Contents = { keys: [], certificates: [] };
  const localKeyIdHex = (bag: forge.pkcs12.Bag): string | undefined => {
    const ids = (bag.attributes as { localKeyId?: string[] } | undefined)?.localKeyId;
    return ids?.[0] === undefined ? undefined : forge.util.bytesToHex(ids[0]);
  };
  try {
    for (const bagType of [forge.pki.oids.pkcs8ShroudedKeyBag, forge.pki.oids.keyBag]) {
      for (const bag of pfx.getBags({ bagType })[bagType] ?? []) {
        if (bag.key) {
          const asn1 = forge.pki.privateKeyToAsn1(bag.key);
          contents.keys.push({
            der: toBuffer(forge.asn1.toDer(asn1).getBytes()),
            format: 'pkcs1',
            localKeyIdHex: localKeyIdHex(bag),
          });
        } else if (bag.asn1) {
          // A key type forge does not model (EC, Ed25519...): keep its PrivateKeyInfo DER.
          contents.keys.push({
            der: toBuffer(forge.asn1.toDer(bag.asn1).getBytes()),
            format: 'pkcs8',
            localKeyIdHex: localKeyIdHex(bag),
          });
        }
      }
    }
    const certBag = forge.pki.oids.certBag;
    for (const bag of pfx.getBags({ bagType: certBag })[certBag] ?? []) {
      const asn1 = bag.cert ? forge.pki.certificateToAsn1(bag.cert) : bag.asn1;
      if (asn1)
        contents.certificates.push({
          der: toBuffer(forge.asn1.toDer(asn1).getBytes()),
          localKeyIdHex: localKeyIdHex(bag),
        });
    }
  } catch (error) {
    throw new SigningIdentityError(
      'INVALID_PKCS12',
      `the PKCS#12 file is corrupt or unsupported: ${String((error as Error)?.message ?? error).split('\n')[0]}`,
    );
  }
  return contents;
}
