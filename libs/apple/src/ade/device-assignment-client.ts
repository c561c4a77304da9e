import { AdeApiError, classifyAdeError, errorCode } from './ade-api-error.js';
import type { AdeProfile } from './ade-profile.js';
import { oauthSessionHeader } from './oauth-signer.js';
import type { AdeOAuthCredentials } from './server-token.js';

/*
 * Apple's Device Assignment API (https://mdmenrollment.apple.com; apple-ade.md §2-3). A session
 * token comes from `GET /session` (OAuth 1.0a) and goes in `X-ADM-Auth-Session` on every call;
 * Apple may hand out a new one in any response. The token is kept in an AdeSessionStore so that
 * every worker of a deployment shares one session per server token (Apple may not support parallel
 * sessions). A 401, or a 403 saying FORBIDDEN, on a call means the session expired: authenticate
 * once more and replay. 429 and 5xx are retried with exponential backoff (Retry-After honoured);
 * what is left is thrown as an AdeApiError with its kind.
 */

/** Where the session token lives: shared by every process that talks to Apple for this token. */
export interface AdeSessionStore {
  get(): Promise<string | null>;
  set(token: string): Promise<void>;
  /** Forgets `token` if it is still the current one (another worker may have replaced it). */
  invalidate(token: string): Promise<void>;
}

/** A process-local store: for tests and single-process tools. */
export class MemoryAdeSessionStore implements AdeSessionStore {
  private token: string | null = null;
  async get() {
    return this.token;
  }
  async set(token: string) {
    this.token = token;
  }
  async invalidate(token: string) {
    if (this.token === token) this.token = null;
  }
}

export interface AdeRetryPolicy {
  /** Attempts for one call on 429/5xx/network errors, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_ADE_RETRY: AdeRetryPolicy = { attempts: 4, baseDelayMs: 1000, maxDelayMs: 30_000 };
/** Zentral measured that Apple clamps to the newest it knows; 10 adds THROTTLED + retry_after_seconds. */
export const ADE_PROTOCOL_VERSION = 10;

export interface DeviceAssignmentClientOptions {
  baseUrl: string;
  credentials: AdeOAuthCredentials;
  sessions: AdeSessionStore;
  /** A plain `product/version` (Apple refused nanodep's `nanodep-g-o-dep/0`: USER_AGENT_INVALID). */
  userAgent: string;
  protocolVersion?: number;
  retry?: AdeRetryPolicy;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  /** Called once per HTTP exchange (metrics, logs). */
  onResponse?: (event: { method: string; path: string; status: number }) => void;
}

export interface AdeDevice {
  serial_number: string;
  model?: string;
  description?: string;
  color?: string;
  asset_tag?: string;
  os?: string;
  device_family?: string;
  profile_status?: string;
  profile_uuid?: string;
  profile_assign_time?: string;
  profile_push_time?: string;
  device_assigned_date?: string;
  device_assigned_by?: string;
  op_type?: 'added' | 'modified' | 'deleted';
  op_date?: string;
}

export interface AdeDevicePage {
  cursor: string;
  devices: AdeDevice[];
  fetched_until?: string;
  more_to_follow: boolean;
}

export interface AdeAccount {
  server_name?: string;
  server_uuid?: string;
  admin_id?: string;
  facilitator_id?: string;
  org_name?: string;
  org_email?: string;
}

export type AdeAssignStatus = 'SUCCESS' | 'NOT_ACCESSIBLE' | 'FAILED' | 'THROTTLED';

export interface AdeAssignResult {
  profile_uuid: string;
  devices: Record<string, AdeAssignStatus>;
  retry_after_seconds?: number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const json = (body: unknown) => JSON.stringify(body);

export class DeviceAssignmentClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly retry: AdeRetryPolicy;
  private authenticating: Promise<string> | undefined;

  constructor(private readonly options: DeviceAssignmentClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? fetch;
    this.sleep = options.sleep ?? defaultSleep;
    this.retry = options.retry ?? DEFAULT_ADE_RETRY;
  }

  account(): Promise<AdeAccount> {
    return this.call<AdeAccount>('GET', '/account');
  }

  /** `POST /server/devices`: every device, page by page (no cursor: from the start). */
  fetchDevices(cursor: string | null, limit: number): Promise<AdeDevicePage> {
    return this.call<AdeDevicePage>('POST', '/server/devices', cursor ? { cursor, limit } : { limit });
  }

  /** `POST /devices/sync`: what changed since the cursor. */
  syncDevices(cursor: string, limit: number): Promise<AdeDevicePage> {
    return this.call<AdeDevicePage>('POST', '/devices/sync', { cursor, limit });
  }

  defineProfile(profile: AdeProfile): Promise<{ profile_uuid: string }> {
    return this.call('POST', '/profile', profile);
  }

  /** At most 1,000 serials per call (Apple's limit). */
  assignProfile(profileUuid: string, serials: string[]): Promise<AdeAssignResult> {
    if (serials.length > 1000) throw new RangeError('assignProfile: at most 1000 serials per call');
    return this.call('POST', '/profile/devices', { profile_uuid: profileUuid, devices: serials });
  }

  /** One API call with the shared session: re-authenticates once when the session has expired. */
  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let session = (await this.options.sessions.get()) ?? (await this.authenticate());
    let response = await this.send(method, path, session, body);
    if (await this.sessionExpired(response)) {
      await this.options.sessions.invalidate(session);
      session = await this.authenticate();
      response = await this.send(method, path, session, body);
    }
    if (!response.ok) throw classifyAdeError(response.status, errorCode(response.text), path);
    return (response.text ? JSON.parse(response.text) : {}) as T;
  }

  private async sessionExpired(response: { status: number; text: string }) {
    return (
      response.status === 401 || (response.status === 403 && errorCode(response.text).includes('FORBIDDEN'))
    );
  }

  /** `GET /session`, once at a time per client even when calls run in parallel. */
  private authenticate(): Promise<string> {
    this.authenticating ??= this.openSession().finally(() => (this.authenticating = undefined));
    return this.authenticating;
  }

  private async openSession(): Promise<string> {
    const url = `${this.baseUrl}/session`;
    const response = await this.exchange('GET', '/session', {
      Authorization: oauthSessionHeader(this.options.credentials, url),
      // Apple's own simulator (depsim) refuses /session without it.
      'Content-Type': 'application/json;charset=UTF8',
    });
    if (!response.ok) throw classifyAdeError(response.status, errorCode(response.text), '/session');
    let token: unknown;
    try {
      token = (JSON.parse(response.text) as { auth_session_token?: unknown }).auth_session_token;
    } catch {
      token = undefined;
    }
    if (typeof token !== 'string' || token === '') {
      throw new AdeApiError(
        'server_error',
        response.status,
        'NO_SESSION_TOKEN',
        '/session returned no auth_session_token',
      );
    }
    await this.options.sessions.set(token);
    return token;
  }

  private async send(method: string, path: string, session: string, body?: unknown) {
    const response = await this.exchange(
      method,
      path,
      { 'X-ADM-Auth-Session': session },
      body === undefined ? undefined : json(body),
    );
    // Apple may rotate the session in any answer: use the new one from now on (every worker).
    const rotated = response.headers.get('x-adm-auth-session');
    if (rotated && rotated !== session) await this.options.sessions.set(rotated);
    return response;
  }

  /** One HTTP request with the common headers; 429, 5xx and network failures are retried with backoff. */
  private async exchange(method: string, path: string, headers: Record<string, string>, body?: string) {
    let lastError: AdeApiError | undefined;
    for (let attempt = 1; attempt <= this.retry.attempts; attempt++) {
      let response: Response;
      try {
        response = await this.fetchImpl(`${this.baseUrl}${path}`, {
          method,
          headers: {
            'User-Agent': this.options.userAgent,
            'X-Server-Protocol-Version': String(this.options.protocolVersion ?? ADE_PROTOCOL_VERSION),
            Accept: 'application/json;charset=UTF8',
            ...(body === undefined ? {} : { 'Content-Type': 'application/json;charset=UTF8' }),
            ...headers,
          },
          body,
        });
      } catch (error) {
        lastError = new AdeApiError('server_error', 0, 'NETWORK', `${path}: ${(error as Error).message}`);
        await this.backoff(attempt);
        continue;
      }
      const text = await response.text();
      this.options.onResponse?.({ method, path, status: response.status });
      if (response.status !== 429 && response.status < 500) {
        return { ok: response.ok, status: response.status, text, headers: response.headers };
      }
      const retryAfter = Number(response.headers.get('retry-after'));
      lastError = classifyAdeError(response.status, errorCode(text), path);
      await this.backoff(
        attempt,
        Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
      );
    }
    throw lastError!;
  }

  private async backoff(attempt: number, retryAfterMs?: number) {
    if (attempt >= this.retry.attempts) return;
    const exponential = this.retry.baseDelayMs * 2 ** (attempt - 1);
    await this.sleep(Math.min(this.retry.maxDelayMs, retryAfterMs ?? exponential));
  }
}
