import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * A local Apple Device Assignment API (mdmenrollment.apple.com), faithful to the checklist of
 * shared/reference/apple-ade.md §5.2: it checks the OAuth 1.0a header of `GET /session` with its
 * own RFC 5849 code (not the library Rempart signs with), hands out sessions that expire and
 * rotate, pages devices with opaque cursors (fetch, sync, more_to_follow, EXHAUSTED/EXPIRED/
 * INVALID_CURSOR, an echoed-cursor mode), validates profiles as Apple does (FLAGS_INVALID...),
 * assigns them per serial (SUCCESS, NOT_ACCESSIBLE, FAILED, THROTTLED from protocol 9,
 * retry_after_seconds from 10), and has failure switches: terms not signed, token rejected, 429, 500.
 * Error bodies are plain codes in quotes, as Apple's own simulator (depsim) writes them.
 */

export interface FakeAdeCredentials {
  consumerKey: string;
  consumerSecret: string;
  accessToken: string;
  accessSecret: string;
}

export interface FakeAdeDevice {
  serial_number: string;
  model: string;
  description: string;
  color: string;
  os: string;
  device_family: string;
  profile_status: 'empty' | 'assigned' | 'pushed' | 'removed';
  profile_uuid?: string;
  profile_assign_time?: string;
  device_assigned_date: string;
  device_assigned_by: string;
}

interface DeviceEvent {
  seq: number;
  serial: string;
  op_type: 'added' | 'modified' | 'deleted';
  op_date: string;
}

export interface RecordedAdeRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  status: number;
}

interface Cursor {
  /** f: full fetch at `offset` of the device list; s: sync after event `seq`. */
  k: 'f' | 's';
  offset: number;
  seq: number;
  /** Issue time on the fake clock (ms): older than 7 days is EXPIRED_CURSOR. */
  t: number;
  done?: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const CURSOR_LIFETIME_MS = 7 * DAY_MS;
const FAKE_SKIP_KEYS_ACCEPTED = true;

/** RFC 5849 §3.6 percent-encoding: unreserved characters stay, everything else is %XX (uppercase). */
function pct(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Parses `OAuth k="v", ...` (values percent-encoded). */
function parseOAuthHeader(header: string): Map<string, string> | null {
  if (!/^OAuth\s/.test(header)) return null;
  const params = new Map<string, string>();
  for (const part of header.slice(6).split(',')) {
    const match = /^\s*([A-Za-z_]+)="([^"]*)"\s*$/.exec(part);
    if (!match) return null;
    if (params.has(match[1])) return null; // duplicated parameter: Apple answers 400
    params.set(match[1], decodeURIComponent(match[2]));
  }
  return params;
}

export interface FakeAdeOptions {
  /** Sessions expire after this many API calls (401 afterwards). */
  sessionMaxRequests?: number;
  /** Rotate the session (new X-ADM-Auth-Session header, old one dead) every N answers; 0: never. */
  rotateSessionEvery?: number;
  /** How an expired session is refused: 401, or 403 FORBIDDEN as depsim does after a restart. */
  expiredSessionAnswer?: 401 | 403;
}

export class FakeAde {
  readonly credentials: FakeAdeCredentials = {
    consumerKey: `CK_${randomBytes(24).toString('hex')}`,
    consumerSecret: `CS_${randomBytes(20).toString('hex')}`,
    accessToken: `AT_${randomBytes(20).toString('hex')}${Date.now()}`,
    accessSecret: `AS_${randomBytes(20).toString('hex')}`,
  };
  readonly account = {
    server_name: 'Rempart DINUM',
    server_uuid: randomBytes(16).toString('hex').toUpperCase(),
    admin_id: 'abm-admin@dinum.gouv.fr',
    facilitator_id: 'abm-admin@dinum.gouv.fr',
    org_name: 'Direction interministérielle du numérique',
    org_email: 'abm@dinum.gouv.fr',
  };
  readonly requests: RecordedAdeRequest[] = [];
  /** Every profile defined, by profile_uuid. */
  readonly profiles = new Map<string, Record<string, unknown>>();

  // Failure switches (tests flip them).
  termsNotSigned = false;
  tokenRejected = false;
  /** The next N calls (any path but /session) answer 429 TOO_MANY_REQUESTS. */
  rateLimitNext = 0;
  /** The next N calls (any path but /session) answer 500. */
  serverErrorNext = 0;
  /** /devices/sync answers with the request's cursor, more_to_follow: true, and nothing new. */
  echoSyncCursor = false;
  readonly failSerials = new Set<string>();
  readonly throttleSerials = new Set<string>();
  /** After `after` more device pages (fetch or sync), answer every page request with `status` `code`. */
  pageFailure: { after: number; status: number; code: string } | undefined;
  /** Set by tests to keep requests from being recorded (the benchmark). */
  recordRequests = true;

  private readonly devices = new Map<string, FakeAdeDevice>();
  private readonly events: DeviceEvent[] = [];
  private readonly sessions = new Map<string, { requests: number }>();
  private readonly nonces = new Set<string>();
  private clockOffsetMs = 0;
  private answers = 0;
  private server: Server | undefined;
  url = '';

  constructor(private readonly options: FakeAdeOptions = {}) {}

  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  /** Moves the fake's clock (cursors older than 7 days expire). */
  advanceClock(ms: number): void {
    this.clockOffsetMs += ms;
  }

  /** Ends every session, as when depsim restarts. */
  expireSessions(): void {
    this.sessions.clear();
  }

  /** Devices an ABM administrator assigns to this MDM server (one `added` event each). */
  addDevices(count: number, make: (i: number) => Partial<FakeAdeDevice> = () => ({})): string[] {
    const serials: string[] = [];
    const start = this.devices.size;
    for (let i = 0; i < count; i++) {
      const device: FakeAdeDevice = {
        serial_number: `F${(start + i).toString(36).toUpperCase().padStart(10, '0')}`,
        model: 'iPhone 15',
        description: 'IPHONE 15 128GB BLACK',
        color: 'BLACK',
        os: 'iOS',
        device_family: 'iPhone',
        profile_status: 'empty',
        device_assigned_date: new Date(this.now()).toISOString(),
        device_assigned_by: this.account.admin_id,
        ...make(start + i),
      };
      this.devices.set(device.serial_number, device);
      this.event(device.serial_number, 'added');
      serials.push(device.serial_number);
    }
    return serials;
  }

  modifyDevice(serial: string, changes: Partial<FakeAdeDevice>): void {
    Object.assign(this.devices.get(serial)!, changes);
    this.event(serial, 'modified');
  }

  /** Released from this MDM server in ABM. */
  removeDevice(serial: string): void {
    this.devices.delete(serial);
    this.event(serial, 'deleted');
  }

  device(serial: string): FakeAdeDevice | undefined {
    return this.devices.get(serial);
  }

  /** What Setup Assistant downloads from Apple for this serial: the assigned ADE profile. */
  profileFor(serial: string): Record<string, unknown> | undefined {
    const device = this.devices.get(serial);
    if (!device?.profile_uuid) return undefined;
    device.profile_status = 'pushed';
    return this.profiles.get(device.profile_uuid);
  }

  requestsTo(path: string): RecordedAdeRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private event(serial: string, op: DeviceEvent['op_type']) {
    this.events.push({
      seq: this.events.length + 1,
      serial,
      op_type: op,
      op_date: new Date(this.now()).toISOString(),
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    const reply = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      if (this.recordRequests) {
        this.requests.push({
          method: req.method ?? '',
          path: url.pathname,
          headers: req.headers,
          body,
          status,
        });
      }
      const text = typeof payload === 'string' ? JSON.stringify(payload) : JSON.stringify(payload);
      res.writeHead(status, { 'Content-Type': 'application/json;charset=UTF8', ...headers });
      res.end(status >= 400 && typeof payload === 'string' ? `"${payload}"` : text);
    };
    try {
      if (!req.headers['user-agent']) return reply(400, 'USER_AGENT_MISSING');
      if (!/^\d+$/.test(String(req.headers['x-server-protocol-version'] ?? ''))) {
        return reply(400, 'X_SERVER_PROTOCOL_VERSION_MISSING');
      }
      if (url.pathname === '/session' && req.method === 'GET') return this.session(req, reply);
      const token = String(req.headers['x-adm-auth-session'] ?? '');
      const session = this.sessions.get(token);
      if (!session || session.requests >= (this.options.sessionMaxRequests ?? 1000)) {
        this.sessions.delete(token);
        return this.options.expiredSessionAnswer === 403
          ? reply(403, 'FORBIDDEN')
          : reply(401, 'UNAUTHORIZED');
      }
      session.requests += 1;
      if (this.termsNotSigned) return reply(403, 'T_C_NOT_SIGNED');
      if (this.tokenRejected) return reply(403, 'token_rejected');
      if (this.rateLimitNext > 0) {
        this.rateLimitNext -= 1;
        return reply(429, 'TOO_MANY_REQUESTS', { 'Retry-After': '0' });
      }
      if (this.serverErrorNext > 0) {
        this.serverErrorNext -= 1;
        return reply(500, 'INTERNAL_SERVER_ERROR');
      }
      if (this.pageFailure && (url.pathname === '/server/devices' || url.pathname === '/devices/sync')) {
        if (this.pageFailure.after <= 0) return reply(this.pageFailure.status, this.pageFailure.code);
        this.pageFailure.after -= 1;
      }
      const headers = this.rotate(token);
      const version = Number(req.headers['x-server-protocol-version']);
      const json = body ? (JSON.parse(body) as Record<string, unknown>) : {};
      const route = `${req.method} ${url.pathname}`;
      switch (route) {
        case 'GET /account':
          return reply(200, this.account, headers);
        case 'POST /server/devices':
          return this.fetch(json, reply, headers);
        case 'POST /devices/sync':
          return this.sync(json, reply, headers);
        case 'POST /profile':
          return this.defineProfile(json, version, reply, headers);
        case 'GET /profile': {
          const profile = this.profiles.get(url.searchParams.get('profile_uuid') ?? '');
          return profile ? reply(200, profile, headers) : reply(400, 'PROFILE_NOT_FOUND');
        }
        case 'PUT /profile/devices':
        case 'POST /profile/devices':
          return this.assign(json, version, reply, headers);
        case 'DELETE /profile/devices':
          return this.unassign(json, reply, headers);
        default:
          return reply(404, 'NOT_FOUND');
      }
    } catch {
      return reply(400, 'MALFORMED_REQUEST_BODY');
    }
  }

  /** `GET /session`: the OAuth header checked against our own secrets, nonces single-use. */
  private session(req: IncomingMessage, reply: (s: number, p: unknown, h?: Record<string, string>) => void) {
    if (this.termsNotSigned) return reply(403, 'T_C_NOT_SIGNED');
    if (this.tokenRejected) return reply(403, 'token_rejected');
    const params = parseOAuthHeader(String(req.headers.authorization ?? ''));
    if (!params) return reply(400, 'BAD_REQUEST');
    for (const key of [
      'oauth_consumer_key',
      'oauth_token',
      'oauth_signature_method',
      'oauth_signature',
      'oauth_timestamp',
      'oauth_nonce',
      'oauth_version',
    ]) {
      if (!params.get(key)) return reply(400, 'BAD_REQUEST');
    }
    if (params.get('oauth_signature_method') !== 'HMAC-SHA1' || params.get('oauth_version') !== '1.0') {
      return reply(400, 'BAD_REQUEST');
    }
    const c = this.credentials;
    if (params.get('oauth_consumer_key') !== c.consumerKey || params.get('oauth_token') !== c.accessToken) {
      return reply(401, 'UNAUTHORIZED');
    }
    const nonce = `${params.get('oauth_timestamp')}:${params.get('oauth_nonce')}`;
    if (this.nonces.has(nonce)) return reply(401, 'UNAUTHORIZED');
    const signed = [...params.entries()]
      .filter(([key]) => key !== 'oauth_signature' && key !== 'realm')
      .map(([key, value]) => [pct(key), pct(value)])
      .sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : 1) : a < b ? -1 : 1))
      .map(([key, value]) => `${key}=${value}`)
      .join('&');
    const base = `GET&${pct(`${this.url}/session`)}&${pct(signed)}`;
    const expected = createHmac('sha1', `${pct(c.consumerSecret)}&${pct(c.accessSecret)}`)
      .update(base)
      .digest();
    const given = Buffer.from(params.get('oauth_signature')!, 'base64');
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return reply(401, 'UNAUTHORIZED');
    this.nonces.add(nonce);
    const token = randomBytes(24).toString('hex');
    this.sessions.set(token, { requests: 0 });
    return reply(200, { auth_session_token: token });
  }

  private rotate(token: string): Record<string, string> {
    this.answers += 1;
    const every = this.options.rotateSessionEvery ?? 0;
    if (every === 0 || this.answers % every !== 0) return {};
    const next = randomBytes(24).toString('hex');
    this.sessions.set(next, { requests: 0 });
    this.sessions.delete(token);
    return { 'X-ADM-Auth-Session': next };
  }

  private encodeCursor(cursor: Cursor): string {
    return Buffer.from(JSON.stringify(cursor)).toString('base64url');
  }

  private decodeCursor(text: unknown): Cursor | 'invalid' | 'expired' {
    if (typeof text !== 'string') return 'invalid';
    try {
      const cursor = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Cursor;
      if (cursor.k !== 'f' && cursor.k !== 's') return 'invalid';
      if (this.now() - cursor.t > CURSOR_LIFETIME_MS) return 'expired';
      return cursor;
    } catch {
      return 'invalid';
    }
  }

  private limit(json: Record<string, unknown>): number {
    const limit = typeof json.limit === 'number' ? json.limit : 100;
    return Math.max(1, Math.min(1000, limit));
  }

  private fetch(
    json: Record<string, unknown>,
    reply: (s: number, p: unknown, h?: Record<string, string>) => void,
    headers: Record<string, string>,
  ) {
    let cursor: Cursor = { k: 'f', offset: 0, seq: this.events.length, t: this.now() };
    if (json.cursor !== undefined) {
      const decoded = this.decodeCursor(json.cursor);
      if (decoded === 'invalid') return reply(400, 'INVALID_CURSOR');
      if (decoded === 'expired') return reply(400, 'EXPIRED_CURSOR');
      if (decoded.done) return reply(400, 'EXHAUSTED_CURSOR');
      cursor = decoded;
    }
    const all = [...this.devices.values()];
    const page = all.slice(cursor.offset, cursor.offset + this.limit(json));
    const offset = cursor.offset + page.length;
    const more = offset < all.length;
    return reply(
      200,
      {
        cursor: this.encodeCursor({ k: 'f', offset, seq: cursor.seq, t: this.now(), done: !more }),
        devices: page,
        fetched_until: new Date(this.now()).toISOString(),
        more_to_follow: more,
      },
      headers,
    );
  }

  private sync(
    json: Record<string, unknown>,
    reply: (s: number, p: unknown, h?: Record<string, string>) => void,
    headers: Record<string, string>,
  ) {
    if (json.cursor === undefined) return reply(400, 'CURSOR_REQUIRED');
    const cursor = this.decodeCursor(json.cursor);
    if (cursor === 'invalid') return reply(400, 'INVALID_CURSOR');
    if (cursor === 'expired') return reply(400, 'EXPIRED_CURSOR');
    if (this.echoSyncCursor) {
      return reply(
        200,
        {
          cursor: json.cursor,
          devices: [],
          fetched_until: new Date(this.now()).toISOString(),
          more_to_follow: true,
        },
        headers,
      );
    }
    const events = this.events.slice(cursor.seq, cursor.seq + this.limit(json));
    const seq = cursor.seq + events.length;
    const devices = events.map((e) => ({
      ...(this.devices.get(e.serial) ?? { serial_number: e.serial }),
      op_type: e.op_type,
      op_date: e.op_date,
    }));
    return reply(
      200,
      {
        cursor: this.encodeCursor({ k: 's', offset: 0, seq, t: this.now() }),
        devices,
        fetched_until: new Date(this.now()).toISOString(),
        more_to_follow: seq < this.events.length,
      },
      headers,
    );
  }

  /** Apple's checks of `POST /profile` (apple-ade.md §3.5, §3.7). */
  private defineProfile(
    json: Record<string, unknown>,
    version: number,
    reply: (s: number, p: unknown, h?: Record<string, string>) => void,
    headers: Record<string, string>,
  ) {
    const name = json.profile_name;
    if (typeof name !== 'string' || name === '') return reply(400, 'CONFIG_NAME_REQUIRED');
    if ([...name].length > 125) return reply(400, 'CONFIG_NAME_INVALID');
    if (typeof json.url !== 'string' || json.url === '') return reply(400, 'CONFIG_URL_REQUIRED');
    if (!/^https?:\/\//.test(json.url) || encodeURI(json.url).length > 2000)
      return reply(400, 'CONFIG_URL_INVALID');
    // is_mdm_removable defaults to true; false is allowed only on a supervised profile.
    if (json.is_mdm_removable === false && json.is_supervised !== true) return reply(400, 'FLAGS_INVALID');
    if (json.org_magic !== undefined && (typeof json.org_magic !== 'string' || json.org_magic.length > 256))
      return reply(400, 'MAGIC_INVALID');
    if (
      json.department !== undefined &&
      (typeof json.department !== 'string' || [...json.department].length > 125)
    )
      return reply(400, 'DEPARTMENT_INVALID');
    if (
      json.skip_setup_items !== undefined &&
      !(Array.isArray(json.skip_setup_items) && FAKE_SKIP_KEYS_ACCEPTED)
    ) {
      return reply(400, 'MALFORMED_REQUEST_BODY');
    }
    const uuid = randomBytes(16).toString('hex').toUpperCase();
    const { devices, ...profile } = json;
    this.profiles.set(uuid, { ...profile, profile_uuid: uuid });
    const result: Record<string, string> = {};
    if (Array.isArray(devices))
      Object.assign(result, this.assignSerials(uuid, devices as string[], version).devices);
    return reply(200, { profile_uuid: uuid, devices: result }, headers);
  }

  private assign(
    json: Record<string, unknown>,
    version: number,
    reply: (s: number, p: unknown, h?: Record<string, string>) => void,
    headers: Record<string, string>,
  ) {
    const uuid = json.profile_uuid;
    if (typeof uuid !== 'string' || uuid === '') return reply(400, 'PROFILE_UUID_REQUIRED');
    if (!this.profiles.has(uuid)) return reply(400, 'NOT_FOUND');
    if (!Array.isArray(json.devices) || json.devices.length === 0) return reply(400, 'DEVICE_ID_REQUIRED');
    if (json.devices.length > 1000) return reply(400, 'MALFORMED_REQUEST_BODY');
    const result = this.assignSerials(uuid, json.devices as string[], version);
    return reply(200, { profile_uuid: uuid, ...result }, headers);
  }

  private assignSerials(uuid: string, serials: string[], version: number) {
    const devices: Record<string, string> = {};
    let throttled = false;
    for (const serial of serials) {
      const device = this.devices.get(serial);
      if (!device) devices[serial] = 'NOT_ACCESSIBLE';
      else if (this.failSerials.has(serial)) devices[serial] = 'FAILED';
      else if (this.throttleSerials.has(serial)) {
        devices[serial] = version >= 9 ? 'THROTTLED' : 'FAILED';
        throttled = true;
      } else {
        device.profile_uuid = uuid;
        device.profile_status = 'assigned';
        device.profile_assign_time = new Date(this.now()).toISOString();
        this.event(serial, 'modified');
        devices[serial] = 'SUCCESS';
      }
    }
    return throttled && version >= 10 ? { devices, retry_after_seconds: 3600 } : { devices };
  }

  private unassign(
    json: Record<string, unknown>,
    reply: (s: number, p: unknown, h?: Record<string, string>) => void,
    headers: Record<string, string>,
  ) {
    if (!Array.isArray(json.devices)) return reply(400, 'DEVICE_ID_REQUIRED');
    const devices: Record<string, string> = {};
    for (const serial of json.devices as string[]) {
      const device = this.devices.get(serial);
      if (!device) devices[serial] = 'NOT_ACCESSIBLE';
      else {
        delete device.profile_uuid;
        device.profile_status = 'removed';
        devices[serial] = 'SUCCESS';
      }
    }
    return reply(200, { devices }, headers);
  }
}
