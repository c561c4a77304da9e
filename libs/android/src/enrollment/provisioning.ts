/*
 * What a phone needs to enroll into Android Device Policy with an AMAPI enrollment token:
 * the QR payload its setup wizard scans (tap the welcome screen six times) and the DPC extras the
 * zero-touch portal takes for company-bought phones.
 */

export const ANDROID_DEVICE_POLICY_PACKAGE = 'com.google.android.apps.work.clouddpc';
const EXTRA = 'android.app.extra.';
const ADMIN_COMPONENT = `${ANDROID_DEVICE_POLICY_PACKAGE}/.receivers.CloudDeviceAdminReceiver`;
/** Android Device Policy's signing-key checksum, as Google's guide, Microsoft's and Fleet's docs give it. */
const SIGNATURE_CHECKSUM = 'I5YvS0O5hXY46mb01BlRjq4oJJGs2kuUcHvVkAPEXlg';
const DOWNLOAD_LOCATION = 'https://play.google.com/managed/downloadManagingApp?identifier=setup';
const ENROLLMENT_TOKEN_EXTRA = `${ANDROID_DEVICE_POLICY_PACKAGE}.EXTRA_ENROLLMENT_TOKEN`;

/**
 * The provisioning JSON for the QR code. AMAPI returns its own in EnrollmentToken.qrCode ("a
 * recommended QR code bundle"): that one is used verbatim so that a checksum change at Google
 * cannot leave us with a stale copy; this hand-built equivalent is the fallback.
 */
export function provisioningQrPayload(token: { value: string; qrCode?: string | null }): string {
  if (token.qrCode) return token.qrCode;
  return JSON.stringify({
    [`${EXTRA}PROVISIONING_DEVICE_ADMIN_COMPONENT_NAME`]: ADMIN_COMPONENT,
    [`${EXTRA}PROVISIONING_DEVICE_ADMIN_SIGNATURE_CHECKSUM`]: SIGNATURE_CHECKSUM,
    [`${EXTRA}PROVISIONING_DEVICE_ADMIN_PACKAGE_DOWNLOAD_LOCATION`]: DOWNLOAD_LOCATION,
    [`${EXTRA}PROVISIONING_ADMIN_EXTRAS_BUNDLE`]: { [ENROLLMENT_TOKEN_EXTRA]: token.value },
  });
}

/**
 * The "DPC extras" of a zero-touch configuration. Zero-touch installs Android Device Policy itself,
 * so Google advises leaving out the download location and checksum extras; the token travels in
 * the admin extras bundle as in the QR code.
 */
export function zeroTouchDpcExtras(tokenValue: string): Record<string, unknown> {
  return {
    [`${EXTRA}PROVISIONING_DEVICE_ADMIN_COMPONENT_NAME`]: ADMIN_COMPONENT,
    [`${EXTRA}PROVISIONING_ADMIN_EXTRAS_BUNDLE`]: { [ENROLLMENT_TOKEN_EXTRA]: tokenValue },
  };
}

/** The link a personally-owned phone opens to set up a work profile with this token. */
export function workProfileEnrollUrl(tokenValue: string): string {
  return `https://enterprise.google.com/android/enroll?et=${encodeURIComponent(tokenValue)}`;
}

/** Seconds as an AMAPI google-duration string ("3600s"). */
export function toGoogleDuration(milliseconds: number): string {
  return `${Math.max(60, Math.round(milliseconds / 1000))}s`;
}
