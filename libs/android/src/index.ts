export {
  AndroidPolicyCompileError,
  MAX_ANDROID_APPLICATIONS,
  compileAndroidPolicy,
  serializeAndroidPolicy,
} from './policy-compiler.js';
export type {
  AndroidAdvancedSecurityOverrides,
  AndroidApplicationPolicy,
  AndroidApplicationReportingSettings,
  AndroidInstallType,
  AndroidPlayStoreMode,
  AndroidPolicy,
  AndroidStatusReportingSettings,
} from './policy-compiler.js';
export { parseDiscoveryDocument, validateAgainstDiscovery } from './discovery-validator.js';
export type {
  DiscoveryDocument,
  DiscoveryIssue,
  DiscoveryIssueCode,
  DiscoverySchema,
} from './discovery-validator.js';
export { AmapiClient, AMAPI_SCOPE, DEVICES_PAGE_SIZE } from './amapi/amapi-client.js';
export type {
  AmapiClientOptions,
  AmapiDevice,
  AmapiEnrollmentToken,
  AmapiEnterprise,
  AmapiOperation,
  AmapiPolicy,
  AmapiSignupUrl,
  DevicesPage,
} from './amapi/amapi-client.js';
export { AmapiError, toAmapiError } from './amapi/amapi-error.js';
export { withRetry, DEFAULT_RETRY } from './amapi/retry.js';
export type { RetryOptions } from './amapi/retry.js';
export {
  parseServiceAccountKey,
  ServiceAccountKeyError,
  GOOGLE_TOKEN_URI,
} from './amapi/service-account-key.js';
export type { ServiceAccountKey } from './amapi/service-account-key.js';
export {
  provisioningQrPayload,
  zeroTouchDpcExtras,
  workProfileEnrollUrl,
  toGoogleDuration,
  ANDROID_DEVICE_POLICY_PACKAGE,
} from './enrollment/provisioning.js';
export { groupPolicyId, groupPolicyName, enterpriseOf, lastSegment } from './enrollment/policy-name.js';
export { toDeviceReport, enrollmentIdFromTokenData, DeviceReportError } from './devices/device-report.js';
export type { AndroidDeviceReport, AndroidAppReport, AndroidNonCompliance } from './devices/device-report.js';
export { parsePubsubPush, NotificationError } from './notifications/pubsub-notification.js';
export type { AndroidNotification } from './notifications/pubsub-notification.js';
export { baselineAndroidPolicy, mergeAndroidPolicies, GROUP_POLICY_UPDATE_MASK } from './group-policy.js';
