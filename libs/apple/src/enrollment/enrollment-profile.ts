import { randomUUID, X509Certificate } from 'node:crypto';
import { encodePlist, type PlistDict } from '../plist/plist-codec.js';
import { DEFAULT_PROFILE_IDENTIFIER_PREFIX } from '../profiles/restrictions-profile.js';

/**
 * What Rempart asks of a phone (`AccessRights`, bit flags of com.apple.mdm.yaml): inspect (1) and
 * install/remove (2) configuration profiles, query device information (16), inspect installed
 * applications (256), restriction (512) and security (1024) queries. Nothing that locks, erases or
 * reads network identifiers.
 */
export const REMPART_ACCESS_RIGHTS = 1 | 2 | 16 | 256 | 512 | 1024;

export interface EnrollmentProfileInput {
  tenantSlug: string;
  organization: string;
  /** Reverse-DNS prefix of PayloadIdentifiers (default `fr.rempart`). */
  identifierPrefix?: string;
  caCertificatePem: string;
  scep: { url: string; challenge: string; subjectCommonName: string; keySize?: 2048 | 4096 };
  mdm: { serverUrl: string; checkInUrl: string; topic: string; signMessage?: boolean };
}

/**
 * The enrollment profile a phone downloads from `enrollUrl`: the tenant CA as a root certificate,
 * a SCEP payload whose challenge is bound to one enrollment, and the MDM payload that uses the SCEP
 * identity. UUIDs are random: each download is its own installation.
 */
export function buildEnrollmentProfile(input: EnrollmentProfileInput): Buffer {
  const prefix = `${input.identifierPrefix ?? DEFAULT_PROFILE_IDENTIFIER_PREFIX}.${input.tenantSlug}.enrollment`;
  const ca = new X509Certificate(input.caCertificatePem);
  const scepUuid = randomUUID().toUpperCase();
  const caPayload: PlistDict = {
    PayloadType: 'com.apple.security.root',
    PayloadVersion: 1,
    PayloadIdentifier: `${prefix}.ca`,
    PayloadUUID: randomUUID().toUpperCase(),
    PayloadDisplayName: `${input.organization} — autorité de certification`,
    PayloadCertificateFileName: `${input.tenantSlug}-ca.cer`,
    PayloadContent: ca.raw,
  };
  const scepPayload: PlistDict = {
    PayloadType: 'com.apple.security.scep',
    PayloadVersion: 1,
    PayloadIdentifier: `${prefix}.scep`,
    PayloadUUID: scepUuid,
    PayloadDisplayName: 'Identité de l’appareil / Device identity',
    PayloadContent: {
      URL: input.scep.url,
      Name: `${input.tenantSlug}-rempart`,
      Subject: [[['CN', input.scep.subjectCommonName]], [['O', input.organization]]],
      Challenge: input.scep.challenge,
      Keysize: input.scep.keySize ?? 2048,
      'Key Type': 'RSA',
      'Key Usage': 5,
    },
  };
  const mdmPayload: PlistDict = {
    PayloadType: 'com.apple.mdm',
    PayloadVersion: 1,
    PayloadIdentifier: `${prefix}.mdm`,
    PayloadUUID: randomUUID().toUpperCase(),
    PayloadDisplayName: `${input.organization} — gestion des applications`,
    IdentityCertificateUUID: scepUuid,
    Topic: input.mdm.topic,
    ServerURL: input.mdm.serverUrl,
    CheckInURL: input.mdm.checkInUrl,
    SignMessage: input.mdm.signMessage ?? true,
    CheckOutWhenRemoved: true,
    AccessRights: REMPART_ACCESS_RIGHTS,
  };
  return encodePlist({
    PayloadType: 'Configuration',
    PayloadVersion: 1,
    PayloadIdentifier: prefix,
    PayloadUUID: randomUUID().toUpperCase(),
    PayloadDisplayName: `${input.organization} — inscription du téléphone`,
    PayloadDescription:
      'Inscrit ce téléphone auprès de la gestion de flotte de votre organisation, qui y bloque les ' +
      'applications interdites. Enrolls this phone with your organisation, which blocks banned apps on it.',
    PayloadOrganization: input.organization,
    TargetDeviceType: 1,
    PayloadContent: [caPayload, scepPayload, mdmPayload],
  });
}
