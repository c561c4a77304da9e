import type { PushOutcome } from '#libs/rollouts';

/*
 * The push leg's port to APNs. The worker binds it to the APNs HTTP/2 client pool (one connection
 * per push certificate); tests of the leg bind it to a fake that answers what they need.
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

export interface PushSender {
  /** Never throws for what APNs (or the network) answers: the outcome says it. */
  push(
    owner: string,
    credentials: PushSenderCredentials,
    request: PushSenderRequest,
  ): Promise<PushSenderResult>;
  close(): Promise<void>;
}

export const PUSH_SENDER = Symbol('PUSH_SENDER');
