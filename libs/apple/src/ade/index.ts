export { AdeInputError } from './ade-error.js';
export type { AdeInputErrorCode } from './ade-error.js';
export { AdeApiError, classifyAdeError } from './ade-api-error.js';
export type { AdeErrorKind } from './ade-api-error.js';
export {
  ADE_CERTIFICATE_VALIDITY_YEARS,
  MAX_SERVER_TOKEN_BYTES,
  decryptServerToken,
  generateAdeKeyPair,
} from './server-token.js';
export type { AdeKeyPair, AdeOAuthCredentials, AdeServerToken } from './server-token.js';
export { oauthSessionHeader } from './oauth-signer.js';
export {
  ADE_PROTOCOL_VERSION,
  DEFAULT_ADE_RETRY,
  DeviceAssignmentClient,
  MemoryAdeSessionStore,
} from './device-assignment-client.js';
export type {
  AdeAccount,
  AdeAssignResult,
  AdeAssignStatus,
  AdeDevice,
  AdeDevicePage,
  AdeRetryPolicy,
  AdeSessionStore,
  DeviceAssignmentClientOptions,
} from './device-assignment-client.js';
export {
  DEFAULT_SKIP_SETUP_ITEMS,
  IOS_SKIP_SETUP_ITEMS,
  adeProfileFingerprint,
  buildAdeProfile,
  validateSkipSetupItems,
} from './ade-profile.js';
export type { AdeProfile, AdeProfileOptions } from './ade-profile.js';
export { MAX_MACHINE_INFO_BYTES, parseDeviceCaPem, verifyMachineInfo } from './machine-info.js';
export type { MachineInfo } from './machine-info.js';
