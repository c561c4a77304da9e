import { describe, expect, it } from '@jest/globals';
import { groupPolicyName, enterpriseOf } from './policy-name.js';
import {
  provisioningQrPayload,
  toGoogleDuration,
  workProfileEnrollUrl,
  zeroTouchDpcExtras,
} from './provisioning.js';

describe('provisioning payloads', () => {
  it('uses the qrCode AMAPI returned, verbatim', () => {
    expect(provisioningQrPayload({ value: 'ABC', qrCode: '{"from":"google"}' })).toBe('{"from":"google"}');
  });

  it('builds the documented QR bundle when AMAPI gave none', () => {
    const payload = JSON.parse(provisioningQrPayload({ value: 'ABC' }));
    expect(payload['android.app.extra.PROVISIONING_DEVICE_ADMIN_COMPONENT_NAME']).toBe(
      'com.google.android.apps.work.clouddpc/.receivers.CloudDeviceAdminReceiver',
    );
    expect(payload['android.app.extra.PROVISIONING_ADMIN_EXTRAS_BUNDLE']).toEqual({
      'com.google.android.apps.work.clouddpc.EXTRA_ENROLLMENT_TOKEN': 'ABC',
    });
  });

  it('zero-touch extras carry the token but no download location or checksum', () => {
    const extras = zeroTouchDpcExtras('ABC');
    expect(Object.keys(extras).some((k) => k.includes('DOWNLOAD_LOCATION') || k.includes('CHECKSUM'))).toBe(
      false,
    );
    expect(JSON.stringify(extras)).toContain(
      '"com.google.android.apps.work.clouddpc.EXTRA_ENROLLMENT_TOKEN":"ABC"',
    );
  });

  it('names the work-profile link, durations and the per-group policy', () => {
    expect(workProfileEnrollUrl('A B')).toBe('https://enterprise.google.com/android/enroll?et=A%20B');
    expect(toGoogleDuration(30 * 24 * 3600 * 1000)).toBe('2592000s');
    expect(toGoogleDuration(1000)).toBe('60s');
    expect(groupPolicyName('enterprises/LC1', 'dinum', 'cabinets')).toBe(
      'enterprises/LC1/policies/dinum_cabinets',
    );
    expect(enterpriseOf('enterprises/LC1/devices/d1')).toBe('enterprises/LC1');
  });
});
