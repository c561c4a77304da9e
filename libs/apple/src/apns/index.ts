export {
  ApnsClient,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_MAX_CONCURRENT_STREAMS,
  DEFAULT_PUSH_EXPIRY_SECONDS,
  DEFAULT_REQUEST_TIMEOUT_MS,
} from './apns-client.js';
export type { ApnsClientStats } from './apns-client.js';
export { ApnsClientPool, DEFAULT_POOL_IDLE_TIMEOUT_MS } from './apns-client-pool.js';
export type { ApnsClientPoolOptions } from './apns-client-pool.js';
export { ApnsClientError } from './apns-client-error.js';
export type { ApnsClientErrorCode } from './apns-client-error.js';
export { CLIENT_REASONS, isValidDeviceToken, outcomeOf } from './apns-reasons.js';
export type { ApnsClientOptions, ApnsOutcome, ApnsPushRequest, ApnsPushResult } from './apns-types.js';
export { certificateFingerprint } from './push-credentials.js';
export type { PushCredentials } from './push-credentials.js';
