import { X509Certificate } from 'node:crypto';
import { DerError, expectTag, octetStringValue, oidValue, parseTlv, TAG } from '../asn1/der.js';
import { MdmAuthError, verifyDetachedCms } from '../mdm/mdm-signature.js';
import { decodePlistDict, PlistError } from '../plist/plist-codec.js';
import { AdeInputError } from './ade-error.js';

/*
 * Setup Assistant's MachineInfo (apple-ade.md §4): a plist CMS-signed by the phone's device
 * identity certificate, POSTed to the ADE profile's `url` (or base64 in the `x-apple-aspen-deviceinfo`
 * header of a GET). Apple's iPhone Device CA expired in 2014 and its chain fails date checks, so
 * like micromdm and zentral only signatures are checked: the CMS over the plist, then the signer
 * certificate's signature by the device CA's key. A valid signature is not device attestation:
 * callers must also require the URL token and the serial being one of the tenant's ADE devices.
 */

export interface MachineInfo {
  udid: string;
  serial: string;
  product: string;
  version: string;
  osVersion?: string;
  imei?: string;
  meid?: string;
  language?: string;
}

export const MAX_MACHINE_INFO_BYTES = 64 * 1024;
const SIGNED_DATA = '1.2.840.113549.1.7.2';

function malformed(message: string): never {
  throw new AdeInputError(
    'MACHINE_INFO_MALFORMED',
    `${message}: the request is not a MachineInfo Setup Assistant sends`,
  );
}

/** The encapsulated content of an attached CMS SignedData. */
function encapsulatedContent(der: Buffer): Buffer {
  try {
    const [type, wrapped] = expectTag(parseTlv(der), TAG.SEQUENCE, 'ContentInfo').children;
    if (oidValue(type, 'contentType') !== SIGNED_DATA) malformed('the body is CMS but not SignedData');
    const [signedData] = expectTag(wrapped, 0xa0, 'ContentInfo.content').children;
    const encap = expectTag(signedData, TAG.SEQUENCE, 'SignedData').children[2];
    const explicit = expectTag(encap, TAG.SEQUENCE, 'EncapsulatedContentInfo').children[1];
    if (!explicit) malformed('the signature carries no MachineInfo (detached)');
    const [octets] = expectTag(explicit, 0xa0, 'eContent').children;
    if (!octets) malformed('the signature carries no MachineInfo');
    return octetStringValue(octets);
  } catch (error) {
    if (error instanceof AdeInputError) throw error;
    if (error instanceof DerError) malformed(`not a readable CMS SignedData (${error.message})`);
    throw error;
  }
}

/** Parses the signed plist; required keys: UDID, SERIAL, PRODUCT, VERSION. */
function machineInfoFields(plist: Buffer): MachineInfo {
  let dict;
  try {
    dict = decodePlistDict(plist, { maxBytes: MAX_MACHINE_INFO_BYTES });
  } catch (error) {
    if (error instanceof PlistError) malformed(`the signed content is not a plist (${error.message})`);
    throw error;
  }
  const text = (key: string) =>
    typeof dict[key] === 'string' && dict[key] !== '' ? (dict[key] as string) : undefined;
  const required = (key: string) => {
    const value = text(key);
    if (value === undefined) {
      throw new AdeInputError(
        'MACHINE_INFO_INCOMPLETE',
        `MachineInfo has no ${key}: the phone must run Setup Assistant again`,
      );
    }
    return value;
  };
  return {
    udid: required('UDID'),
    serial: required('SERIAL'),
    product: required('PRODUCT'),
    version: required('VERSION'),
    osVersion: text('OS_VERSION'),
    imei: text('IMEI'),
    meid: text('MEID'),
    language: text('LANGUAGE'),
  };
}

/** Whether `child` carries a signature made by `ca`'s key (dates not checked: see above). */
function signedBy(child: X509Certificate, ca: X509Certificate): boolean {
  try {
    return child.verify(ca.publicKey);
  } catch {
    return false;
  }
}

/**
 * Verifies a MachineInfo CMS (DER) against the device CA certificates (PEM; Apple's iPhone Device
 * CA in production) and returns its fields. Throws AdeInputError MACHINE_INFO_MALFORMED,
 * MACHINE_INFO_BAD_SIGNATURE, MACHINE_INFO_UNTRUSTED or MACHINE_INFO_INCOMPLETE.
 */
export function verifyMachineInfo(der: Buffer, deviceCaPems: readonly X509Certificate[]): MachineInfo {
  if (der.length === 0) malformed('the body is empty');
  if (der.length > MAX_MACHINE_INFO_BYTES)
    malformed(`the body is larger than ${MAX_MACHINE_INFO_BYTES} bytes`);
  const content = encapsulatedContent(der);
  let signer: X509Certificate;
  try {
    signer = verifyDetachedCms(der, content).signer;
  } catch (error) {
    if (!(error instanceof MdmAuthError)) throw error;
    if (error.code === 'BAD_SIGNATURE') {
      throw new AdeInputError(
        'MACHINE_INFO_BAD_SIGNATURE',
        `MachineInfo signature does not verify: ${error.message}`,
      );
    }
    malformed(error.message);
  }
  if (!deviceCaPems.some((ca) => signedBy(signer, ca))) {
    throw new AdeInputError(
      'MACHINE_INFO_UNTRUSTED',
      `MachineInfo is signed by ${signer.subject.replace(/\n/g, ', ')}, which Apple's device CA did not issue: only a genuine Apple device can enroll through ADE`,
    );
  }
  return machineInfoFields(content);
}

/** The device CA certificates in a PEM file's text. */
export function parseDeviceCaPem(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new Error('no certificate in the device CA file');
  return blocks.map((block) => new X509Certificate(block));
}
