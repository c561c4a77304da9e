export { DEFAULT_CHECKIN_MAX_BYTES, parseCheckinMessage } from './checkin.js';
export type {
  AuthenticateMessage,
  CheckOutMessage,
  CheckinMessage,
  TokenUpdateMessage,
  UnsupportedCheckinMessage,
} from './checkin.js';

export {
  COMMAND_STATUSES,
  DEFAULT_DEVICE_INFORMATION_QUERIES,
  DEFAULT_REPORT_MAX_BYTES,
  INSTALLED_APPLICATION_ITEMS,
  buildCommandPlist,
  extractDeviceInformation,
  extractInstalledApplications,
  extractProfileList,
  extractRestrictions,
  extractSecurityInfo,
  parseCommandReport,
} from './commands.js';
export type {
  CommandErrorChainItem,
  CommandReport,
  CommandStatus,
  DeviceInformationResult,
  RestrictionsResult,
  InstalledApplication,
  InstalledProfile,
  MdmCommandRequest,
  MdmRequestType,
  RestrictionSet,
  SecurityInfoResult,
} from './commands.js';

export { MdmProtocolError } from './mdm-protocol-error.js';
export type { MdmProtocolErrorCode } from './mdm-protocol-error.js';

export {
  DEFAULT_MAX_SIGNATURE_AGE_SECONDS,
  MAX_MDM_SIGNATURE_BYTES,
  MdmAuthError,
  authenticateMdmRequest,
  verifyDetachedCms,
} from './mdm-signature.js';
export type {
  AuthenticateMdmRequestOptions,
  AuthenticatedMdmRequest,
  MdmAuthErrorCode,
  VerifiedCms,
} from './mdm-signature.js';
export {
  DEFAULT_TRUSTED_CERTIFICATE_CACHE_BYTES,
  PARSED_CERTIFICATE_OVERHEAD_BYTES,
  TrustedCertificateCache,
  certificateSha256,
} from './trusted-certificate-cache.js';

export {
  MDM_PUSH_TOPIC_PREFIX,
  PushCertificateError,
  parsePushCertificate,
  pushTopicOf,
} from './push-certificate.js';
export type { PushCertificate, PushCertificateErrorCode, PushCertificateInput } from './push-certificate.js';

export {
  loadMdmSchemas,
  validateCheckinAgainstSchema,
  validateMdmCommand,
  validateMdmCommandResponse,
} from './mdm-schema.js';
export type {
  MdmSchema,
  MdmSchemaIssue,
  MdmSchemaIssueCode,
  MdmSchemaValidationOptions,
  MdmSchemaValidationResult,
  MdmSchemas,
} from './mdm-schema.js';
