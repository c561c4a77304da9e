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
