import { describe, expect, it } from '@jest/globals';
import { generateTenantCa } from '../pki/tenant-signing-identity.js';
import { decodePlistDict } from '../plist/plist-codec.js';
import { validatePayloadAgainstSchema } from '../schema/apple-profile-schema.js';
import { buildEnrollmentProfile } from './enrollment-profile.js';
import { APPLE_PROFILE_SCHEMA_DIR } from '../../../../test/support/vendor.js';

const schemaDir = APPLE_PROFILE_SCHEMA_DIR;

describe('enrollment profile', () => {
  it('holds the tenant CA, a SCEP identity with its challenge, and an MDM payload that uses it, valid against Apple’s schema', async () => {
    const ca = await generateTenantCa({ tenantName: 'DINUM', tenantSlug: 'dinum' });
    const bytes = buildEnrollmentProfile({
      tenantSlug: 'dinum',
      organization: 'DINUM',
      caCertificatePem: ca.caCertificatePem,
      scep: {
        url: 'https://mdm.example.gouv.fr/mdm/dinum/scep',
        challenge: 'c-123',
        subjectCommonName: 'rempart-device',
      },
      mdm: {
        serverUrl: 'https://mdm.example.gouv.fr/mdm/dinum/server',
        checkInUrl: 'https://mdm.example.gouv.fr/mdm/dinum/checkin',
        topic: 'com.apple.mgmt.External.3b9f1d1e',
      },
    });
    const profile = decodePlistDict(bytes);
    const [root, scep, mdm] = profile.PayloadContent as Array<Record<string, unknown>>;
    expect(root.PayloadType).toBe('com.apple.security.root');
    expect((scep.PayloadContent as Record<string, unknown>).Challenge).toBe('c-123');
    expect(mdm).toMatchObject({
      PayloadType: 'com.apple.mdm',
      IdentityCertificateUUID: scep.PayloadUUID,
      Topic: 'com.apple.mgmt.External.3b9f1d1e',
      SignMessage: true,
      CheckOutWhenRemoved: true,
      AccessRights: 1811,
    });
    const result = validatePayloadAgainstSchema(profile, schemaDir);
    expect(result.errors).toEqual([]);
  });
});
