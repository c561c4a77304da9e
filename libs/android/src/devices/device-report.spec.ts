import { describe, expect, it } from '@jest/globals';
import { toDeviceReport } from './device-report.js';

const device = {
  name: 'enterprises/LC1/devices/3f2a',
  state: 'ACTIVE',
  appliedState: 'ACTIVE',
  policyName: 'enterprises/LC1/policies/dinum_cabinets',
  appliedPolicyVersion: '7',
  policyCompliant: false,
  nonComplianceDetails: [
    { settingName: 'applications', nonComplianceReason: 'APP_INSTALLED', packageName: 'com.whatsapp' },
  ],
  enrollmentTokenName: 'enterprises/LC1/enrollmentTokens/t1',
  enrollmentTokenData: JSON.stringify({ enrollmentId: '6f1f7a9e-8e0b-4b8a-9a51-0d7b2f0d2a11' }),
  lastStatusReportTime: '2026-12-01T10:00:00Z',
  hardwareInfo: { model: 'Pixel 8', serialNumber: 'SN1', manufacturer: 'Google' },
  softwareInfo: { androidVersion: '15', securityPatchLevel: '2026-10-05' },
  applicationReports: [
    { packageName: 'com.whatsapp', versionName: '2.24', state: 'INSTALLED' },
    { displayName: 'no package' },
  ],
};

describe('toDeviceReport', () => {
  it('keeps what Rempart shows: model, OS, patch level, compliance, policy version and apps', () => {
    expect(toDeviceReport(device)).toMatchObject({
      deviceId: '3f2a',
      enterpriseName: 'enterprises/LC1',
      status: 'enrolled',
      enrollmentId: '6f1f7a9e-8e0b-4b8a-9a51-0d7b2f0d2a11',
      appliedPolicyVersion: '7',
      policyCompliant: false,
      nonComplianceDetails: [{ nonComplianceReason: 'APP_INSTALLED', packageName: 'com.whatsapp' }],
      model: 'Pixel 8',
      osVersion: '15',
      securityPatchLevel: '2026-10-05',
      apps: [{ packageName: 'com.whatsapp', versionName: '2.24', state: 'INSTALLED', displayName: null }],
    });
  });

  it('maps DELETED under either state to unenrolled, and ignores junk tokens and versions', () => {
    const report = toDeviceReport({
      ...device,
      appliedState: 'DELETED',
      appliedPolicyVersion: 'x',
      enrollmentTokenData: '{',
    });
    expect(report).toMatchObject({ status: 'unenrolled', appliedPolicyVersion: null, enrollmentId: null });
  });

  it('refuses a resource that is not a device', () => {
    expect(() => toDeviceReport({ name: 'enterprises/LC1/policies/p' })).toThrow('device.name');
  });
});
