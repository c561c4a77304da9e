import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseDiscoveryDocument, validateAgainstDiscovery } from '#libs/android';
import { readDiscoveryDocument } from '../support/vendor.js';
import { FakeAndroidDevice, type FakeDeviceOptions, type FakePolicy } from './fake-android-device.js';
import { newRsaSigner, signJwt, verifyJwt, type RsaSigner } from './google-jwt.js';

/*
 * A local Android Management API: the REST subset Rempart uses, Google's service-account token
 * endpoint, Google's OIDC certificate endpoint, simulated phones and Pub/Sub-style pushes. Tests,
 * the benchmark and the demo point AMAPI_ROOT_URL (and the key's token_uri) at it.
 *
 * What it holds Google to: a policy patch without updateMask is refused (400), bodies are checked
 * against the vendored discovery document (unknown fields and bad enum values are 400), every /v1
 * call needs a bearer token the token endpoint issued, devices.list pages at most 100.
 */

const GOOGLE_TOKEN_AUDIENCE = 'https://oauth2.googleapis.com/token';
const MAX_PAGE_SIZE = 100;
const discovery = parseDiscoveryDocument(readDiscoveryDocument());

export interface FakeAmapiFailure {
  status: number;
  /** Only requests whose "METHOD path" matches (all /v1 requests when absent). */
  match?: RegExp;
  retryAfterSeconds?: number;
}

export interface PushTarget {
  /** The mdm push endpoint. */
  url: string;
  /** OIDC mode: the audience written into the signed token. */
  audience?: string;
  /** Relay mode: sent as `?token=` instead of an OIDC token. */
  sharedSecret?: string;
  /** Deliver each message twice (Pub/Sub is at-least-once). */
  duplicate?: boolean;
}

export interface PushRecord {
  messageId: string;
  type: string;
  status: number;
}

interface EnrollmentTokenRecord {
  name: string;
  value: string;
  policyName: string;
  oneTimeOnly: boolean;
  additionalData?: string;
  expiresAt: number;
  uses: number;
  body: Record<string, unknown>;
}

/** Devices generated on demand for devices.list (the benchmark's 100,000 phones cost no memory). */
export interface SyntheticFleet {
  count: number;
  device: (index: number) => Record<string, unknown>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export class FakeAmapi {
  readonly serviceAccount = newRsaSigner();
  readonly pushSigner: RsaSigner = newRsaSigner();
  readonly projectId = 'rempart-fake-project';
  readonly clientEmail = 'rempart-amapi@rempart-fake-project.iam.gserviceaccount.com';
  /** The service account Pub/Sub signs push tokens as. */
  readonly pushServiceAccount = 'rempart-push@rempart-fake-project.iam.gserviceaccount.com';

  readonly enterprises = new Map<string, Record<string, unknown>>();
  readonly policies = new Map<string, FakePolicy>();
  readonly tokens = new Map<string, EnrollmentTokenRecord>();
  readonly devices = new Map<string, FakeAndroidDevice>();
  synthetic: SyntheticFleet | null = null;
  readonly signups = new Map<string, { callbackUrl: string; enterpriseToken?: string }>();
  /** Every /v1 request, as "METHOD path?query" (the token endpoint's are counted in tokensIssued). */
  readonly requests: string[] = [];
  readonly pushes: PushRecord[] = [];
  tokensIssued = 0;
  /** Statuses answered by injected failures, in order. */
  readonly injected: number[] = [];

  private readonly accessTokens = new Set<string>();
  private readonly failures: FakeAmapiFailure[] = [];
  private pushTarget: PushTarget | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private server!: Server;
  rootUrl = '';

  static async start(): Promise<FakeAmapi> {
    const fake = new FakeAmapi();
    fake.server = createServer((req, res) => void fake.handle(req, res));
    fake.server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.rootUrl = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}/`;
    return fake;
  }

  async stop(): Promise<void> {
    await this.flushPushes();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  get tokenUri(): string {
    return `${this.rootUrl}token`;
  }

  /** Google's PEM certificate endpoint (oauth2/v1/certs), with the push signer's key. */
  get certsUrl(): string {
    return `${this.rootUrl}oauth2/v1/certs`;
  }

  /** A service-account key JSON, as downloaded from the Cloud console, whose token_uri is this fake. */
  serviceAccountKey(): Record<string, string> {
    return {
      type: 'service_account',
      project_id: this.projectId,
      private_key_id: this.serviceAccount.kid,
      private_key: this.serviceAccount.privateKeyPem,
      client_email: this.clientEmail,
      client_id: '104242424242424242424',
      auth_uri: 'https://accounts.google.com/o/oauth2/auth',
      token_uri: this.tokenUri,
    };
  }

  /** An enterprise that already exists (bound with PUT /v1/android/enterprise). */
  createEnterprise(displayName = 'Rempart test enterprise'): string {
    const name = `enterprises/LC${randomBytes(5).toString('hex')}`;
    this.enterprises.set(name, { name, enterpriseDisplayName: displayName });
    return name;
  }

  /** The next `count` /v1 requests (matching `match`) fail with `status`. */
  failNext(count: number, failure: FakeAmapiFailure): void {
    for (let i = 0; i < count; i++) this.failures.push(failure);
  }

  pushTo(target: PushTarget | null): void {
    this.pushTarget = target;
  }

  /**
   * What Google does when the admin finishes the signup page: the browser is sent to the callback
   * URL with an enterpriseToken. Returns that URL.
   */
  completeSignup(signupUrlName: string): string {
    const signup = this.signups.get(signupUrlName);
    if (!signup) throw new Error(`no signup ${signupUrlName}`);
    signup.enterpriseToken = `EAH${randomBytes(12).toString('hex')}`;
    const url = new URL(signup.callbackUrl);
    url.searchParams.set('enterpriseToken', signup.enterpriseToken);
    return url.toString();
  }

  policy(name: string): FakePolicy | undefined {
    return this.policies.get(name);
  }

  /**
   * A phone scans the QR code (or opens the link) holding this token value: it enrolls, gets its
   * policy, and sends its first status report (blocked apps still installed), with notifications.
   */
  enrollDevice(tokenValue: string, options: FakeDeviceOptions = {}): FakeAndroidDevice {
    const token = [...this.tokens.values()].find((t) => t.value === tokenValue);
    if (!token) throw new Error('enrollment token not known (deleted?)');
    if (token.expiresAt <= Date.now()) throw new Error('enrollment token expired');
    if (token.oneTimeOnly && token.uses > 0) throw new Error('one-time enrollment token already used');
    token.uses++;
    const enterprise = token.name.slice(0, token.name.indexOf('/enrollmentTokens/'));
    const name = `${enterprise}/devices/${randomBytes(8).toString('hex')}`;
    const device = new FakeAndroidDevice(
      name,
      token.policyName,
      token.name,
      token.additionalData,
      new Date().toISOString(),
      options,
    );
    this.devices.set(name, device);
    this.publish('ENROLLMENT', this.deviceResource(device));
    const policy = this.policies.get(device.policyName);
    if (policy) {
      device.apply(policy, new Date(), false);
      this.publish('STATUS_REPORT', this.deviceResource(device));
    }
    return device;
  }

  /** Every phone syncs its policy (uninstalling blocked apps) and sends a status report. */
  syncDevices(): void {
    for (const device of this.devices.values()) {
      const policy = this.policies.get(device.policyName);
      if (!policy || device.state !== 'ACTIVE') continue;
      device.apply(policy, new Date(), true);
      this.publish('STATUS_REPORT', this.deviceResource(device));
    }
  }

  /** Pushes a notification as Pub/Sub would (no-op without a push target). */
  publish(type: string, resource: Record<string, unknown>, messageId = randomBytes(8).toString('hex')): void {
    const target = this.pushTarget;
    if (!target) return;
    const envelope = {
      message: {
        data: Buffer.from(JSON.stringify(resource)).toString('base64'),
        attributes: { notificationType: type },
        messageId,
        publishTime: new Date().toISOString(),
      },
      subscription: `projects/${this.projectId}/subscriptions/rempart-amapi`,
    };
    const times = target.duplicate ? 2 : 1;
    for (let i = 0; i < times; i++) {
      const delivery = this.deliver(target, envelope, messageId, type).finally(() =>
        this.inFlight.delete(delivery),
      );
      this.inFlight.add(delivery);
    }
  }

  /** Sends a raw body to the push target with valid credentials (for malformed-input tests). */
  async pushRaw(body: unknown): Promise<number> {
    const target = this.pushTarget;
    if (!target) throw new Error('no push target');
    const response = await this.postPush(target, body);
    return response.status;
  }

  /** An OIDC token as Pub/Sub puts on push requests (or with the claims overridden, for tests). */
  pushOidcToken(audience: string, overrides: Record<string, unknown> = {}): string {
    const now = Math.floor(Date.now() / 1000);
    return signJwt(this.pushSigner, {
      iss: 'https://accounts.google.com',
      aud: audience,
      azp: '111111111111111111111',
      sub: '111111111111111111111',
      email: this.pushServiceAccount,
      email_verified: true,
      iat: now,
      exp: now + 3600,
      ...overrides,
    });
  }

  async flushPushes(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private async postPush(target: PushTarget, body: unknown): Promise<Response> {
    const url = new URL(target.url);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (target.sharedSecret) url.searchParams.set('token', target.sharedSecret);
    else headers.authorization = `Bearer ${this.pushOidcToken(target.audience ?? target.url)}`;
    return fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  }

  /** Pub/Sub retries a push that is not acknowledged (non-2xx), with backoff; a few times here. */
  private async deliver(
    target: PushTarget,
    envelope: unknown,
    messageId: string,
    type: string,
  ): Promise<void> {
    for (let attempt = 0; attempt < 4; attempt++) {
      const status = await this.postPush(target, envelope).then(
        (response) => response.status,
        () => 0,
      );
      this.pushes.push({ messageId, type, status });
      if (status >= 200 && status < 300) return;
      await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    }
  }

  private deviceResource(device: FakeAndroidDevice): Record<string, unknown> {
    const policy = this.policies.get(device.policyName);
    const settings = policy?.body.statusReportingSettings as
      { applicationReportsEnabled?: boolean } | undefined;
    return device.toResource(settings?.applicationReportsEnabled === true);
  }

  // ---- HTTP ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', this.rootUrl);
      const body = await readBody(req);
      if (req.method === 'POST' && url.pathname === '/token') return this.token(body, res);
      if (req.method === 'GET' && url.pathname === '/oauth2/v1/certs') {
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=3600' });
        res.end(JSON.stringify({ [this.pushSigner.kid]: this.pushSigner.publicKeyPem }));
        return;
      }
      if (!url.pathname.startsWith('/v1/')) throw new HttpError(404, 'NOT_FOUND', `no route ${url.pathname}`);
      this.requests.push(`${req.method} ${url.pathname}${url.search}`);
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!bearer || !this.accessTokens.has(bearer)) {
        throw new HttpError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.');
      }
      const failure = this.takeFailure(`${req.method} ${url.pathname}`);
      if (failure) {
        this.injected.push(failure.status);
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (failure.retryAfterSeconds !== undefined)
          headers['retry-after'] = String(failure.retryAfterSeconds);
        const reason = failure.status === 429 ? 'RESOURCE_EXHAUSTED' : 'UNAVAILABLE';
        res.writeHead(failure.status, headers);
        res.end(
          JSON.stringify({ error: { code: failure.status, message: 'injected failure', status: reason } }),
        );
        return;
      }
      const result = this.route(
        req.method ?? 'GET',
        url,
        body ? (JSON.parse(body) as Record<string, unknown>) : {},
      );
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(result));
    } catch (error) {
      const e =
        error instanceof HttpError ? error : new HttpError(400, 'INVALID_ARGUMENT', (error as Error).message);
      res.writeHead(e.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: e.status, message: e.message, status: e.reason } }));
    }
  }

  private takeFailure(request: string): FakeAmapiFailure | undefined {
    const index = this.failures.findIndex((f) => !f.match || f.match.test(request));
    return index < 0 ? undefined : this.failures.splice(index, 1)[0];
  }

  /** OAuth 2.0 JWT bearer grant (RFC 7523), as Google's token endpoint implements it. */
  private token(body: string, res: ServerResponse): void {
    const form = new URLSearchParams(body);
    const claims =
      form.get('grant_type') === 'urn:ietf:params:oauth:grant-type:jwt-bearer'
        ? verifyJwt(form.get('assertion') ?? '', this.serviceAccount.publicKeyPem)
        : null;
    const now = Date.now() / 1000;
    const valid =
      claims !== null &&
      claims.iss === this.clientEmail &&
      claims.aud === GOOGLE_TOKEN_AUDIENCE &&
      typeof claims.scope === 'string' &&
      claims.scope.split(' ').includes('https://www.googleapis.com/auth/androidmanagement') &&
      typeof claims.exp === 'number' &&
      claims.exp > now;
    if (!valid) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'invalid_grant', error_description: 'Invalid JWT Signature.' }));
      return;
    }
    const accessToken = `ya29.fake-${randomBytes(16).toString('hex')}`;
    this.accessTokens.add(accessToken);
    this.tokensIssued++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ access_token: accessToken, expires_in: 3599, token_type: 'Bearer' }));
  }

  private route(method: string, url: URL, body: Record<string, unknown>): unknown {
    const path = url.pathname.slice('/v1/'.length);
    const q = url.searchParams;
    let m: RegExpExecArray | null;
    if (method === 'POST' && path === 'signupUrls') {
      const callbackUrl = required(q.get('callbackUrl'), 'callbackUrl');
      required(q.get('projectId'), 'projectId');
      const name = `signupUrls/C${randomBytes(8).toString('hex')}`;
      this.signups.set(name, { callbackUrl });
      return { name, url: `${this.rootUrl}signup/${name.slice('signupUrls/'.length)}` };
    }
    if (method === 'POST' && path === 'enterprises') {
      const signup = this.signups.get(required(q.get('signupUrlName'), 'signupUrlName'));
      if (!signup || !signup.enterpriseToken || signup.enterpriseToken !== q.get('enterpriseToken')) {
        throw new HttpError(400, 'INVALID_ARGUMENT', 'enterpriseToken does not match the signup URL');
      }
      signup.enterpriseToken = undefined; // single use
      return this.enterprises.get(this.createEnterprise(String(body.enterpriseDisplayName ?? 'Enterprise')));
    }
    if ((m = /^(enterprises\/[^/]+)$/.exec(path)) && method === 'GET') return this.enterprise(m[1]);
    if ((m = /^(enterprises\/[^/]+)\/policies\/([^/]+)$/.exec(path))) {
      this.enterprise(m[1]);
      if (method === 'PATCH') return this.patchPolicy(path, q.get('updateMask'), body);
      if (method === 'GET') return this.policyResource(this.mustGetPolicy(path));
    }
    if ((m = /^(enterprises\/[^/]+)\/enrollmentTokens$/.exec(path)) && method === 'POST') {
      return this.createToken(m[1], body);
    }
    if (/^enterprises\/[^/]+\/enrollmentTokens\/[^/]+$/.test(path) && method === 'DELETE') {
      if (!this.tokens.delete(path)) throw new HttpError(404, 'NOT_FOUND', `${path} not found`);
      return {};
    }
    if ((m = /^(enterprises\/[^/]+)\/devices$/.exec(path)) && method === 'GET') {
      this.enterprise(m[1]);
      return this.listDevices(m[1], q);
    }
    if (/^enterprises\/[^/]+\/devices\/[^/]+$/.test(path) && method === 'GET') {
      const device = this.devices.get(path);
      if (!device) throw new HttpError(404, 'NOT_FOUND', `${path} not found`);
      return this.deviceResource(device);
    }
    throw new HttpError(404, 'NOT_FOUND', `no route ${method} ${path}`);
  }

  private enterprise(name: string): Record<string, unknown> {
    const enterprise = this.enterprises.get(name);
    if (!enterprise) throw new HttpError(404, 'NOT_FOUND', `${name} not found`);
    return enterprise;
  }

  private mustGetPolicy(name: string): FakePolicy {
    const policy = this.policies.get(name);
    if (!policy) throw new HttpError(404, 'NOT_FOUND', `${name} not found`);
    return policy;
  }

  private policyResource(policy: FakePolicy): Record<string, unknown> {
    return { name: policy.name, version: String(policy.version), ...policy.body };
  }

  private patchPolicy(name: string, updateMask: string | null, body: Record<string, unknown>): unknown {
    // The point of the check: without updateMask, AMAPI replaces every modifiable field.
    if (!updateMask) throw new HttpError(400, 'INVALID_ARGUMENT', 'updateMask is required by this fake');
    const issues = validateAgainstDiscovery(body, 'Policy', discovery).filter((issue) =>
      ['unknown-field', 'wrong-type', 'bad-enum', 'bad-format', 'output-only'].includes(issue.code),
    );
    if (issues.length > 0) {
      throw new HttpError(
        400,
        'INVALID_ARGUMENT',
        `Invalid value at 'policy${issues[0].path.slice(1)}': ${issues[0].message}`,
      );
    }
    const existing = this.policies.get(name);
    const next: FakePolicy = {
      name,
      version: (existing?.version ?? 0) + 1,
      body: { ...(existing?.body ?? {}) },
    };
    for (const field of updateMask.split(',')) {
      if (body[field] === undefined) delete next.body[field];
      else next.body[field] = body[field];
    }
    this.policies.set(name, next);
    return this.policyResource(next);
  }

  private createToken(enterprise: string, body: Record<string, unknown>): unknown {
    this.enterprise(enterprise);
    const issues = validateAgainstDiscovery(body, 'EnrollmentToken', discovery).filter(
      (i) => i.code !== 'deprecated-field',
    );
    if (issues.length > 0)
      throw new HttpError(400, 'INVALID_ARGUMENT', `${issues[0].path}: ${issues[0].message}`);
    const rawPolicy = String(body.policyName ?? 'default');
    const policyName = rawPolicy.includes('/') ? rawPolicy : `${enterprise}/policies/${rawPolicy}`;
    if (!this.policies.has(policyName)) {
      throw new HttpError(400, 'FAILED_PRECONDITION', `policy ${policyName} does not exist`);
    }
    const seconds = Number(String(body.duration ?? '3600s').replace(/s$/, ''));
    const name = `${enterprise}/enrollmentTokens/${randomBytes(10).toString('hex')}`;
    const value = randomBytes(10).toString('hex').toUpperCase();
    const expiresAt = Date.now() + seconds * 1000;
    const resource = {
      ...body,
      name,
      value,
      policyName,
      expirationTimestamp: new Date(expiresAt).toISOString(),
      qrCode: JSON.stringify({
        'android.app.extra.PROVISIONING_DEVICE_ADMIN_COMPONENT_NAME':
          'com.google.android.apps.work.clouddpc/.receivers.CloudDeviceAdminReceiver',
        'android.app.extra.PROVISIONING_DEVICE_ADMIN_SIGNATURE_CHECKSUM':
          'I5YvS0O5hXY46mb01BlRjq4oJJGs2kuUcHvVkAPEXlg',
        'android.app.extra.PROVISIONING_DEVICE_ADMIN_PACKAGE_DOWNLOAD_LOCATION':
          'https://play.google.com/managed/downloadManagingApp?identifier=setup',
        'android.app.extra.PROVISIONING_ADMIN_EXTRAS_BUNDLE': {
          'com.google.android.apps.work.clouddpc.EXTRA_ENROLLMENT_TOKEN': value,
        },
      }),
    };
    this.tokens.set(name, {
      name,
      value,
      policyName,
      oneTimeOnly: body.oneTimeOnly === true,
      additionalData: typeof body.additionalData === 'string' ? body.additionalData : undefined,
      expiresAt,
      uses: 0,
      body: resource,
    });
    return resource;
  }

  private listDevices(enterprise: string, q: URLSearchParams): unknown {
    const pageSize = Math.min(MAX_PAGE_SIZE, Math.max(1, Number(q.get('pageSize') ?? 10)));
    const offset = Number(q.get('pageToken') ?? 0);
    if (!Number.isInteger(offset) || offset < 0)
      throw new HttpError(400, 'INVALID_ARGUMENT', 'bad pageToken');
    const real = [...this.devices.values()].filter((d) => d.name.startsWith(`${enterprise}/`));
    const total = real.length + (this.synthetic?.count ?? 0);
    const page: unknown[] = [];
    for (let i = offset; i < Math.min(total, offset + pageSize); i++) {
      page.push(i < real.length ? this.deviceResource(real[i]) : this.synthetic!.device(i - real.length));
    }
    const next = offset + pageSize < total ? String(offset + pageSize) : undefined;
    return { devices: page, ...(next ? { nextPageToken: next } : {}) };
  }
}

function required(value: string | null, name: string): string {
  if (!value) throw new HttpError(400, 'INVALID_ARGUMENT', `${name} is required`);
  return value;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
