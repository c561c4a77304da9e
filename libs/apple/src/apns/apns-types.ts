/*
 * What a caller gives the APNs client and what it gets back. A push never throws for anything the
 * server (or the network) answers: the outcome says what the rollout should do with the device.
 */

/** What the caller should do next with this device and push certificate. */
export type ApnsOutcome =
  /** APNs took the push (HTTP 200); the phone will check in when it is reachable. */
  | 'accepted'
  /** 410: the token is no longer valid for the topic. Mark it invalid; do not retry. */
  | 'unregistered'
  /** 429, 5xx, timeout, connection lost: try again later, with backoff. */
  | 'retry'
  /** 400/404/405/413 and the like: this push cannot succeed as sent. Record the reason; do not retry. */
  | 'rejected'
  /** The push certificate cannot push at all (refused TLS handshake, expired, wrong key, 403, topic not allowed): stop the whole leg. */
  | 'certificate';

export interface ApnsPushRequest {
  /** The device's push token (TokenUpdate `Token`), hex encoded. */
  deviceToken: string;
  /** The device's PushMagic (TokenUpdate `PushMagic`): the whole payload is `{"mdm":"<PushMagic>"}`. */
  pushMagic: string;
  /** `apns-topic`: the push certificate's UID, `com.apple.mgmt.…`. */
  topic: string;
  /** `apns-expiration`, unix seconds; 0 means "deliver now or never". Default: one day from now. */
  expiration?: number;
  /** `apns-priority`. Default 10 (deliver immediately). */
  priority?: 5 | 10;
  /** `apns-collapse-id` (at most 64 bytes). */
  collapseId?: string;
}

export interface ApnsPushResult {
  /** HTTP status; 0 when no HTTP answer came (timeout, connection lost, refused before sending). */
  status: number;
  outcome: ApnsOutcome;
  /** `apns-id` of an accepted push. */
  apnsId?: string;
  /**
   * APNs' reason string (`Unregistered`, `BadDeviceToken`, `TooManyRequests`, `BadCertificate`,
   * `TopicDisallowed`, …) or, when no HTTP answer came, the client's own (see CLIENT_REASONS).
   */
  reason?: string;
  /** For 410: when APNs last confirmed the token was invalid (milliseconds since the epoch). */
  timestamp?: number;
}

export interface ApnsClientOptions {
  /** `https://api.push.apple.com` (or `:2197`), the sandbox, or a local fake. */
  url: string;
  /** The tenant's MDM push certificate (the leaf; a chain after it is ignored by TLS as extra certs). */
  certificatePem: string;
  /** Its unencrypted private key. */
  privateKeyPem: string;
  /** Extra trusted CA (PEM) for `url`, added to Node's default roots: the local fake's CA. */
  ca?: string;
  /** Streams in flight on the one connection; further pushes wait in a queue. Default 500. The server's SETTINGS_MAX_CONCURRENT_STREAMS caps it further. */
  maxConcurrentStreams?: number;
  /** From sending a push to its answer. Default 10 s; past it the push is `retry` / `Timeout`. */
  requestTimeoutMs?: number;
  /** From opening the connection to the server's first SETTINGS. Default 10 s. */
  connectTimeoutMs?: number;
  /**
   * How many times a push that got no answer because its connection died (reset, GOAWAY) is sent
   * again on a fresh connection before it is returned as `retry`. Default 1. Safe because an MDM
   * push is a wake-up: delivering it twice only makes the phone check in once more.
   */
  connectionRetries?: number;
}
