import http2, { type ClientHttp2Session, type ClientHttp2Stream, type OutgoingHttpHeaders } from 'node:http2';
import { rootCertificates } from 'node:tls';
import { ApnsClientError } from './apns-client-error.js';
import { CLIENT_REASONS, isValidDeviceToken, outcomeOf } from './apns-reasons.js';
import type { ApnsClientOptions, ApnsPushRequest, ApnsPushResult } from './apns-types.js';
import { resultOfConnectionError } from './connection-errors.js';
import { Fifo } from './fifo.js';
import {
  checkPushCredentials,
  credentialsProblemAt,
  type CheckedPushCredentials,
} from './push-credentials.js';

/*
 * APNs MDM push client over Node's http2: one TLS connection per push certificate carrying many
 * concurrent streams (Apple's recommended pattern), a queue in front of it so that a rollout can hand
 * it 100,000 pushes at once, and a fresh connection whenever the old one goes away.
 */

const { NGHTTP2_CANCEL } = http2.constants;

export const DEFAULT_MAX_CONCURRENT_STREAMS = 500;
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** Default `apns-expiration`: APNs keeps the wake-up for an offline phone this long (one per topic). */
export const DEFAULT_PUSH_EXPIRY_SECONDS = 86_400;
const MAX_COLLAPSE_ID_BYTES = 64;

interface QueuedPush {
  headers: OutgoingHttpHeaders;
  body: string;
  resolve: (result: ApnsPushResult) => void;
  /** Connections this push has been sent on. */
  attempts: number;
}

interface Connection {
  session: ClientHttp2Session;
  /** The server's first SETTINGS arrived: streams may be opened. */
  ready: boolean;
  /** The server's SETTINGS_MAX_CONCURRENT_STREAMS. */
  remoteMaxStreams: number;
  /** What killed it (first error wins), for the pushes that were on it. */
  failure?: ApnsPushResult;
  /** Last time an HTTP answer came on it (ms). */
  answeredAt: number;
}

export interface ApnsClientStats {
  /** Connections opened since construction (1 while nothing went wrong). */
  connectionsOpened: number;
  inFlight: number;
  queued: number;
}

export class ApnsClient {
  /** SHA-256 of the push certificate (lower-case hex): what ApnsClientPool keys clients by. */
  readonly fingerprintSha256: string;
  private readonly authority: string;
  private readonly credentials: CheckedPushCredentials;
  private readonly tls: { cert: string; key: string; ca?: string[] };
  private readonly maxStreams: number;
  private readonly requestTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly connectionRetries: number;
  private readonly queue = new Fifo<QueuedPush>();
  private readonly open = new Set<Connection>();
  private current?: Connection;
  private inFlight = 0;
  private connectionsOpened = 0;
  /** close() was called: no new pushes. */
  private closing = false;
  /** Nothing more will be sent. */
  private closed = false;
  private whenDrained: (() => void)[] = [];
  private lastUsedMs = Date.now();

  constructor(options: ApnsClientOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new ApnsClientError('INVALID_URL', `APNs url ${JSON.stringify(options.url)} is not a URL`);
    }
    if (url.protocol !== 'https:') {
      throw new ApnsClientError(
        'INVALID_URL',
        `APNs url must be https://, got ${JSON.stringify(options.url)}`,
      );
    }
    this.authority = url.origin;
    this.maxStreams = positiveInteger(
      'maxConcurrentStreams',
      options.maxConcurrentStreams,
      DEFAULT_MAX_CONCURRENT_STREAMS,
    );
    this.requestTimeoutMs = positiveInteger(
      'requestTimeoutMs',
      options.requestTimeoutMs,
      DEFAULT_REQUEST_TIMEOUT_MS,
    );
    this.connectTimeoutMs = positiveInteger(
      'connectTimeoutMs',
      options.connectTimeoutMs,
      DEFAULT_CONNECT_TIMEOUT_MS,
    );
    this.connectionRetries = options.connectionRetries ?? 1;
    if (!Number.isSafeInteger(this.connectionRetries) || this.connectionRetries < 0) {
      throw new ApnsClientError('INVALID_OPTION', 'connectionRetries must be a non-negative integer');
    }
    this.credentials = checkPushCredentials(options);
    this.fingerprintSha256 = this.credentials.fingerprintSha256;
    this.tls = {
      cert: options.certificatePem,
      key: options.privateKeyPem,
      // `ca` replaces Node's roots; APNS_CA_FILE adds to them.
      ...(options.ca === undefined ? {} : { ca: [...rootCertificates, options.ca] }),
    };
  }

  /** Sends one MDM wake-up. Never rejects: the outcome says what to do with the device. */
  push(request: ApnsPushRequest): Promise<ApnsPushResult> {
    this.lastUsedMs = Date.now();
    const refusal = this.refusalOf(request);
    if (refusal !== undefined) return Promise.resolve(refusal);
    return new Promise((resolve) => {
      this.queue.push({
        headers: headersOf(request),
        body: JSON.stringify({ mdm: request.pushMagic }),
        resolve,
        attempts: 0,
      });
      this.pump();
    });
  }

  get stats(): ApnsClientStats {
    return { connectionsOpened: this.connectionsOpened, inFlight: this.inFlight, queued: this.queue.length };
  }

  /** When the client last had nothing to do (ms since the epoch), or undefined while it is busy. */
  idleSinceMs(): number | undefined {
    return this.inFlight === 0 && this.queue.length === 0 ? this.lastUsedMs : undefined;
  }

  /**
   * Closes the client. By default pushes still queued are answered `retry`/`ClientClosed`; with
   * `drain`, they are sent first. Pushes in flight always finish (each is bounded by requestTimeoutMs).
   * Pushes given after close() are answered `retry`/`ClientClosed`.
   */
  async close(options: { drain?: boolean } = {}): Promise<void> {
    this.closing = true;
    if (options.drain === true && (this.queue.length > 0 || this.inFlight > 0)) {
      await new Promise<void>((resolve) => this.whenDrained.push(resolve));
    }
    this.closed = true;
    for (const push of this.queue.drain()) {
      push.resolve({ status: 0, outcome: 'retry', reason: CLIENT_REASONS.clientClosed });
    }
    this.current = undefined;
    await Promise.all(
      [...this.open].map(
        (connection) =>
          new Promise<void>((resolve) => {
            if (connection.session.destroyed) return resolve();
            connection.session.close(() => resolve());
          }),
      ),
    );
  }

  private refusalOf(request: ApnsPushRequest): ApnsPushResult | undefined {
    if (this.closing) return { status: 0, outcome: 'retry', reason: CLIENT_REASONS.clientClosed };
    const problem = credentialsProblemAt(this.credentials, Date.now());
    if (problem !== undefined) return { status: 0, outcome: 'certificate', reason: problem };
    // Refused here with Apple's own reason strings: sending them would only earn the same 400.
    const rejected = (reason: string): ApnsPushResult => ({ status: 0, outcome: 'rejected', reason });
    if (!isValidDeviceToken(request.deviceToken)) return rejected('BadDeviceToken');
    if (typeof request.topic !== 'string' || request.topic === '') return rejected('MissingTopic');
    if (typeof request.pushMagic !== 'string' || request.pushMagic === '') return rejected('PayloadEmpty');
    if (request.priority !== undefined && request.priority !== 5 && request.priority !== 10) {
      return rejected('BadPriority');
    }
    if (
      request.expiration !== undefined &&
      !(Number.isSafeInteger(request.expiration) && request.expiration >= 0)
    ) {
      return rejected('BadExpirationDate');
    }
    if (request.collapseId !== undefined && Buffer.byteLength(request.collapseId) > MAX_COLLAPSE_ID_BYTES) {
      return rejected('BadCollapseId');
    }
    return undefined;
  }

  /** Starts as many queued pushes as the stream limit allows, opening a connection if there is none. */
  private pump(): void {
    while (this.queue.length > 0 && !this.closed) {
      const connection = this.current ?? this.connectOrFailQueue();
      if (connection === undefined) return;
      if (!connection.ready) return; // called again when the server's SETTINGS arrive
      if (this.inFlight >= Math.min(this.maxStreams, connection.remoteMaxStreams)) return;
      this.send(connection, this.queue.shift() as QueuedPush);
    }
  }

  /** A TLS context Node refuses to build (certificate, key or CA it cannot use) throws here, not in an event. */
  private connectOrFailQueue(): Connection | undefined {
    try {
      return this.connect();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const detail = typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
      const failure: ApnsPushResult = {
        status: 0,
        outcome: 'certificate',
        reason: `${CLIENT_REASONS.invalidCertificate}: ${detail}`,
      };
      for (const push of this.queue.drain()) push.resolve(failure);
      this.notifyIfDrained();
      return undefined;
    }
  }

  private connect(): Connection {
    const session = http2.connect(this.authority, {
      ...this.tls,
      // Until the server's SETTINGS arrive Node assumes 100; ours is the real bound.
      peerMaxConcurrentStreams: this.maxStreams,
      // Node's 10 MB default can refuse streams (ENHANCE_YOUR_CALM) with hundreds in flight.
      maxSessionMemory: 64,
    });
    const connection: Connection = {
      session,
      ready: false,
      remoteMaxStreams: this.maxStreams,
      answeredAt: 0,
    };
    this.current = connection;
    this.open.add(connection);
    this.connectionsOpened += 1;
    const connectTimer = setTimeout(() => {
      connection.failure ??= { status: 0, outcome: 'retry', reason: CLIENT_REASONS.connectTimeout };
      session.destroy();
    }, this.connectTimeoutMs);
    session.on('remoteSettings', (settings) => {
      connection.remoteMaxStreams = settings.maxConcurrentStreams ?? this.maxStreams;
      if (!connection.ready) {
        connection.ready = true;
        clearTimeout(connectTimer);
      }
      this.pump();
    });
    session.on('error', (error) => {
      connection.failure ??= resultOfConnectionError(error);
    });
    session.on('goaway', (_code, _lastStreamId, debugData) => {
      // Streams the server did not take fail and are sent again on a new connection.
      connection.failure ??= {
        status: 0,
        outcome: 'retry',
        reason: `${CLIENT_REASONS.connectionLost}: GOAWAY ${goawayReason(debugData)}`.trim(),
      };
      this.retire(connection);
      this.pump();
    });
    session.on('close', () => {
      clearTimeout(connectTimer);
      this.retire(connection);
      this.open.delete(connection);
      if (!connection.ready) {
        // Nothing was sent: everything waiting gets the connection's failure and backs off. Without
        // an error, the server hung up between the TLS handshake and its SETTINGS, which is what a
        // server checking client certificates after a TLS 1.3 handshake does when it refuses one.
        const failure = connection.failure ?? {
          status: 0,
          outcome: 'retry',
          reason: `${CLIENT_REASONS.connectionLost}: closed before the server's SETTINGS`,
        };
        for (const push of this.queue.drain()) push.resolve(failure);
        this.notifyIfDrained();
        return;
      }
      this.pump();
    });
    return connection;
  }

  private notifyIfDrained(): void {
    if (this.closing && this.inFlight === 0 && this.queue.length === 0) {
      for (const resolve of this.whenDrained.splice(0)) resolve();
    }
  }

  /** No new streams go to this connection. */
  private retire(connection: Connection): void {
    if (this.current === connection) this.current = undefined;
  }

  private send(connection: Connection, push: QueuedPush): void {
    this.inFlight += 1;
    push.attempts += 1;
    const sentAtMs = Date.now();
    let settled = false;
    let status = 0;
    let apnsId: string | undefined;
    let responseBody = '';
    const settle = (result: ApnsPushResult | 'again'): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      this.inFlight -= 1;
      this.lastUsedMs = Date.now();
      if (result === 'again') this.queue.unshift(push);
      else push.resolve(result);
      this.pump();
      this.notifyIfDrained();
    };
    const timer = setTimeout(() => {
      settle({ status: 0, outcome: 'retry', reason: CLIENT_REASONS.timeout });
      stream.close(NGHTTP2_CANCEL);
      // Silence on the whole connection since this push went out: it is dead, not just slow.
      if (connection.answeredAt < sentAtMs) {
        connection.failure ??= { status: 0, outcome: 'retry', reason: CLIENT_REASONS.timeout };
        this.retire(connection);
        connection.session.destroy();
      }
    }, this.requestTimeoutMs);
    let stream: ClientHttp2Stream;
    try {
      stream = connection.session.request(push.headers);
    } catch (error) {
      // The session closed under us (GOAWAY just arrived): same as a stream the server refused.
      connection.failure ??= resultOfConnectionError(error);
      this.retire(connection);
      settle(push.attempts <= this.connectionRetries ? 'again' : connection.failure);
      return;
    }
    stream.on('response', (headers) => {
      status = Number(headers[':status']);
      const id = headers['apns-id'];
      if (typeof id === 'string') apnsId = id;
      connection.answeredAt = Date.now();
      if (status === 200) {
        stream.resume(); // no body to read
        return;
      }
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        responseBody += chunk;
      });
    });
    // Errors are reported through 'close' below, with the connection's failure when there is one.
    stream.on('error', ignore);
    stream.on('close', () => {
      // Once APNs has answered, its status stands even if the stream was reset afterwards.
      if (status !== 0) return settle(resultOfAnswer(status, apnsId, responseBody));
      const failure = connection.failure;
      if (failure?.outcome === 'certificate') return settle(failure);
      if (push.attempts <= this.connectionRetries && !this.closed) return settle('again');
      settle(failure ?? { status: 0, outcome: 'retry', reason: CLIENT_REASONS.connectionLost });
    });
    stream.end(push.body);
  }
}

function headersOf(request: ApnsPushRequest): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {
    ':method': 'POST',
    ':path': `/3/device/${request.deviceToken}`,
    'content-type': 'application/json',
    'apns-push-type': 'mdm',
    'apns-topic': request.topic,
    'apns-expiration': request.expiration === undefined ? defaultExpiration() : String(request.expiration),
    'apns-priority': String(request.priority ?? 10),
  };
  if (request.collapseId !== undefined) headers['apns-collapse-id'] = request.collapseId;
  return headers;
}

function ignore(): void {}

let expirationCache = { second: -1, value: '' };
/** Now + DEFAULT_PUSH_EXPIRY_SECONDS as a header value, computed once per second rather than per push. */
function defaultExpiration(): string {
  const second = Math.floor(Date.now() / 1000);
  if (second !== expirationCache.second) {
    expirationCache = { second, value: String(second + DEFAULT_PUSH_EXPIRY_SECONDS) };
  }
  return expirationCache.value;
}

function resultOfAnswer(status: number, apnsId: string | undefined, body: string): ApnsPushResult {
  const result: ApnsPushResult = { status, outcome: 'accepted' };
  if (apnsId !== undefined) result.apnsId = apnsId;
  if (status !== 200 && body !== '') {
    try {
      const parsed = JSON.parse(body) as { reason?: unknown; timestamp?: unknown };
      if (typeof parsed.reason === 'string') result.reason = parsed.reason;
      if (typeof parsed.timestamp === 'number') result.timestamp = parsed.timestamp;
    } catch {
      result.reason = body.slice(0, 200);
    }
  }
  result.outcome = outcomeOf(status, result.reason);
  return result;
}

/** APNs puts `{"reason":"Shutdown"}`-like JSON in GOAWAY debug data. */
function goawayReason(debugData: Buffer | undefined): string {
  if (debugData === undefined || debugData.length === 0) return '';
  try {
    const parsed = JSON.parse(debugData.toString('utf8')) as { reason?: unknown };
    return typeof parsed.reason === 'string' ? parsed.reason : '';
  } catch {
    return '';
  }
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new ApnsClientError('INVALID_OPTION', `${name} must be a positive integer, got ${value}`);
  }
  return value;
}
