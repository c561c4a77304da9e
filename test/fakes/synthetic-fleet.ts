import type { SyntheticFleet } from './fake-amapi.js';

/*
 * Phones that exist only when devices.list asks for them: device i is built from i alone, so a
 * fleet of 100,000 costs the fake no memory. One in ten still has WhatsApp (APP_INSTALLED).
 */
export function syntheticFleet(options: {
  count: number;
  policyName: string;
  policyVersion?: number;
}): SyntheticFleet {
  const enterprise = options.policyName.slice(0, options.policyName.indexOf('/policies/'));
  const reportTime = new Date().toISOString();
  return {
    count: options.count,
    device: (i) => {
      const stuck = i % 10 === 0;
      return {
        name: `${enterprise}/devices/synthetic-${i}`,
        managementMode: 'DEVICE_OWNER',
        ownership: 'COMPANY_OWNED',
        state: 'ACTIVE',
        appliedState: 'ACTIVE',
        policyName: options.policyName,
        appliedPolicyName: options.policyName,
        appliedPolicyVersion: String(options.policyVersion ?? 1),
        policyCompliant: !stuck,
        ...(stuck
          ? {
              nonComplianceDetails: [
                {
                  settingName: 'applications',
                  nonComplianceReason: 'APP_INSTALLED',
                  packageName: 'com.whatsapp',
                },
              ],
            }
          : {}),
        enrollmentTime: reportTime,
        lastStatusReportTime: reportTime,
        hardwareInfo: {
          brand: 'Google',
          manufacturer: 'Google',
          model: `Pixel ${6 + (i % 4)}`,
          serialNumber: `SN${i}`,
        },
        softwareInfo: { androidVersion: String(13 + (i % 3)), securityPatchLevel: '2026-10-05' },
        applicationReports: [
          { packageName: 'com.whatsapp', versionName: '2.24.1', state: stuck ? 'INSTALLED' : 'REMOVED' },
          { packageName: 'io.olvid.messenger', versionName: '3.1', state: 'INSTALLED' },
          { packageName: 'fr.gouv.tchap.a', versionName: '2.12', state: 'INSTALLED' },
          { packageName: 'com.android.chrome', versionName: '130.0', state: 'INSTALLED' },
          { packageName: 'com.google.android.gm', versionName: '2026.10', state: 'INSTALLED' },
        ],
      };
    },
  };
}
