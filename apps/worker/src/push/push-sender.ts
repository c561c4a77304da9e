import type { PushOutcome } from '#libs/rollouts';

/*
 * The push leg's port to APNs. The worker binds it to the APNs HTTP/2 client pool (one connection
 * per push certificate); tests of the leg could bind it to anything that answers like APNs.
 */

export interface PushSenderCredentials {
  certificatePem: string;
  privateKeyPem: string;
}

export interface PushSenderRequest {
  /** Hex push token from the phone's TokenUpdate. */
  deviceToken: string;
  pushMagic: string;
  topic: string;
}

export interface PushSenderResult {
  /** HTTP status; 0 when no answer came. */
  status: number;
  outcome: PushOutcome;
  reason?: string;
}

/** Pushes with one push certificate (one APNs connection). */
export interface PushChannel {
  /** Never throws for what APNs (or the network) answers: the outcome says it. */
  push(request: PushSenderRequest): Promise<PushSenderResult>;
}

export interface PushSender {
  /**
   * The channel for a tenant's certificate. Taken once per slice: finding the connection parses the
   * certificate, which would cost more than the push itself if done per device.
   */
  channel(owner: string, credentials: PushSenderCredentials): PushChannel;
  close(): Promise<void>;
}

export const PUSH_SENDER = Symbol('PUSH_SENDER');
