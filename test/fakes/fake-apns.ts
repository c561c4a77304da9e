import { randomUUID, type X509Certificate } from 'node:crypto';
import http2, {
  type Http2SecureServer,
  type Http2Session,
  type IncomingHttpHeaders,
  type ServerHttp2Session,
  type ServerHttp2Stream,
} from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { pushTopicOf } from '../../libs/apple/src/mdm/push-certificate.js';
import { FaultBook, type FakeApnsFault, type InjectOptions } from './fake-apns-faults.js';
import { makeFakeApnsTls } from './fake-apns-tls.js';

/*
 * A local APNs for MDM pushes: HTTP/2 over TLS with its own CA, a client certificate required and
 * checked (an MDM push certificate whose subject UID is the topic), Apple's status codes and reason
 * strings, recorded pushes, listeners (simulated iPhones wake up on them) and faults injected on
 * demand. Recording is counters plus a capped list, so 100,000 pushes cost little memory.
 */

export interface FakeApnsOptions {
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** SETTINGS_MAX_CONCURRENT_STREAMS advertised to clients. Default 1000. */
  maxConcurrentStreams?: number;
  /** Pushes kept in pushes(); counters always count all of them. Default 10,000. */
  recordLimit?: number;
  /**
   * When set, the TLS handshake itself refuses client certificates not issued by this CA (or
   * expired), as Apple refuses certificates it did not issue. By default any certificate passes TLS
   * and is checked per request (403 answers), which lets tests use self-signed push certificates.
   */
  requireClientCa?: string;
}

export interface RecordedPush {
  token: string;
  topic: string;
  pushMagic: string;
  status: number;
  reason?: string;
  /** Date.now() when answered. */
  at: number;
  /** The apns-expiration, apns-priority and apns-collapse-id headers, when sent and valid. */
  expiration?: number;
  priority?: number;
  collapseId?: string;
}

export interface AcceptedPush {
  token: string;
  topic: string;
  pushMagic: string;
  at: number;
}

export interface FakeApnsStats {
  /** TLS connections accepted. */
  tlsSessions: number;
  /** Requests answered (any status). */
  requests: number;
  accepted: number;
  byStatus: Record<number, number>;
  /** Errors thrown by onPush listeners (caught, never crash the fake). */
  listenerErrors: number;
  /** Most requests open at once (bounded concurrency shows here). */
  peakInFlight: number;
}

interface ClientIdentity {
  topic?: string;
  refusal?: { status: number; reason: string };
}

const MAX_PAYLOAD_BYTES = 4096;
const DEVICE_TOKEN = /^(?:[0-9a-fA-F]{2}){8,200}$/;
const DEVICE_PATH = '/3/device/';

export class FakeApns {
  /** https://127.0.0.1:<port> (or the host it listens on) */
  readonly url: string;
  readonly port: number;
  /** The CA that issued the fake's server certificate: trust it (APNS_CA_FILE / ApnsClient `ca`). */
  readonly caPem: string;
  private readonly faults = new FaultBook();
  private readonly listeners = new Set<(push: AcceptedPush) => void>();
  private readonly recorded: RecordedPush[] = [];
  private readonly identities = new WeakMap<Http2Session, ClientIdentity>();
  private readonly sessions = new Set<ServerHttp2Session>();
  private inFlight = 0;
  private readonly counters: FakeApnsStats = {
    tlsSessions: 0,
    requests: 0,
    accepted: 0,
    byStatus: {},
    listenerErrors: 0,
    peakInFlight: 0,
  };

  private constructor(
    private readonly server: Http2SecureServer,
    caPem: string,
    private readonly recordLimit: number,
    urlHost: string,
  ) {
    this.caPem = caPem;
    const { port } = server.address() as AddressInfo;
    this.port = port;
    this.url = `https://${urlHost}:${port}`;
    server.on('secureConnection', () => {
      this.counters.tlsSessions += 1;
    });
    server.on('session', (session) => {
      this.sessions.add(session);
      session.on('close', () => this.sessions.delete(session));
      session.on('error', () => {});
    });
    server.on('stream', (stream, headers) => this.onStream(stream, headers));
  }

  static async start(options: FakeApnsOptions = {}): Promise<FakeApns> {
    const host = options.host ?? '127.0.0.1';
    const tls = await makeFakeApnsTls([host]);
    const requireCa = options.requireClientCa;
    const server = http2.createSecureServer({
      key: tls.privateKeyPem,
      cert: tls.certificatePem,
      requestCert: true,
      rejectUnauthorized: requireCa !== undefined,
      ...(requireCa === undefined ? {} : { ca: [requireCa] }),
      settings: { maxConcurrentStreams: options.maxConcurrentStreams ?? 1000 },
      maxSessionMemory: 64,
    });
    // TLS failures (refused client certificates) are the client's business, not a crash of the fake.
    server.on('tlsClientError', () => {});
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    // Listening on every interface: clients on this machine reach it on loopback.
    const urlHost =
      host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    return new FakeApns(server, tls.caPem, options.recordLimit ?? 10_000, urlHost);
  }

  /** Forces an answer (status, hang, reset, GOAWAY) for one token or every push, `times` times or always. */
  inject(fault: FakeApnsFault, options?: InjectOptions): void {
    this.faults.add(fault, options);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Called for each accepted push (what Apple would deliver). Returns the unsubscribe function. */
  onPush(listener: (push: AcceptedPush) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The first `recordLimit` pushes answered, in order. */
  pushes(): RecordedPush[] {
    return [...this.recorded];
  }

  pushesFor(token: string): RecordedPush[] {
    const key = token.toLowerCase();
    return this.recorded.filter((push) => push.token === key);
  }

  stats(): FakeApnsStats {
    return { ...this.counters, byStatus: { ...this.counters.byStatus } };
  }

  /** Zeroes counters and recorded pushes (connections stay open). */
  clearRecords(): void {
    this.recorded.length = 0;
    Object.assign(this.counters, {
      tlsSessions: 0,
      requests: 0,
      accepted: 0,
      byStatus: {},
      listenerErrors: 0,
      peakInFlight: 0,
    });
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const session of this.sessions) session.destroy();
    await closed;
  }

  private onStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    stream.on('error', () => {});
    this.inFlight += 1;
    if (this.inFlight > this.counters.peakInFlight) this.counters.peakInFlight = this.inFlight;
    stream.on('close', () => {
      this.inFlight -= 1;
    });
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_PAYLOAD_BYTES) chunks.push(chunk);
    });
    stream.on('end', () =>
      this.answer(stream, headers, size > MAX_PAYLOAD_BYTES ? undefined : Buffer.concat(chunks)),
    );
  }

  private answer(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, body: Buffer | undefined): void {
    const path = String(headers[':path'] ?? '');
    const token = path.startsWith(DEVICE_PATH) ? path.slice(DEVICE_PATH.length).toLowerCase() : '';
    const identity = this.identityOf(stream.session);
    const topicHeader = headers['apns-topic'];
    // Single-topic certificates: Apple uses the certificate's topic when apns-topic is absent.
    const topic = typeof topicHeader === 'string' ? topicHeader : (identity.topic ?? '');
    let pushMagic = '';
    const options: Pick<RecordedPush, 'expiration' | 'priority' | 'collapseId'> = {};
    const reply = (status: number, reason?: string): void => {
      const push: RecordedPush = { token, topic, pushMagic, status, at: Date.now(), ...options };
      if (reason !== undefined) push.reason = reason;
      this.respond(stream, push);
    };

    if (identity.refusal !== undefined) return reply(identity.refusal.status, identity.refusal.reason);
    if (headers[':method'] !== 'POST') return reply(405, 'MethodNotAllowed');
    if (!path.startsWith(DEVICE_PATH)) return reply(404, 'BadPath');
    if (token === '') return reply(400, 'MissingDeviceToken');
    if (!DEVICE_TOKEN.test(token)) return reply(400, 'BadDeviceToken');
    if (headers['apns-push-type'] !== 'mdm') return reply(400, 'InvalidPushType');
    if (topic !== identity.topic) return reply(400, 'TopicDisallowed');
    const expiration = headers['apns-expiration'];
    if (expiration !== undefined && !/^\d{1,12}$/.test(String(expiration)))
      return reply(400, 'BadExpirationDate');
    const priority = headers['apns-priority'];
    if (priority !== undefined && !['1', '5', '10'].includes(String(priority)))
      return reply(400, 'BadPriority');
    const collapseId = headers['apns-collapse-id'];
    if (collapseId !== undefined && Buffer.byteLength(String(collapseId)) > 64)
      return reply(400, 'BadCollapseId');
    if (expiration !== undefined) options.expiration = Number(expiration);
    if (priority !== undefined) options.priority = Number(priority);
    if (collapseId !== undefined) options.collapseId = String(collapseId);
    if (body === undefined) return reply(413, 'PayloadTooLarge');
    const payload = mdmPayload(body);
    if (typeof payload !== 'string') return reply(400, payload.reason);
    pushMagic = payload;

    const fault = this.faults.take(token);
    if (fault === undefined) return reply(200);
    if ('status' in fault) return reply(fault.status, fault.reason ?? defaultReason(fault.status));
    if ('hang' in fault) return; // the stream stays open until the client gives up or stop()
    if ('reset' in fault) {
      stream.session?.destroy();
      return;
    }
    const session = stream.session;
    if (session === undefined) return;
    // Client stream ids are odd: everything before this one was taken, this one and later were not.
    session.goaway(
      http2.constants.NGHTTP2_NO_ERROR,
      Math.max(0, (stream.id ?? 1) - 2),
      Buffer.from(JSON.stringify({ reason: fault.reason ?? 'Shutdown' })),
    );
    stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
    session.close();
  }

  private respond(stream: ServerHttp2Stream, push: RecordedPush): void {
    const counters = this.counters;
    counters.requests += 1;
    counters.byStatus[push.status] = (counters.byStatus[push.status] ?? 0) + 1;
    if (this.recorded.length < this.recordLimit) {
      this.recorded.push(push);
    }
    if (stream.destroyed || stream.closed) return;
    const apnsId = randomUUID();
    if (push.status === 200) {
      stream.respond({ ':status': 200, 'apns-id': apnsId }, { endStream: true });
      counters.accepted += 1;
      this.notify(push);
      return;
    }
    const body: { reason?: string; timestamp?: number } = { reason: push.reason };
    if (push.status === 410) body.timestamp = push.at;
    stream.respond({ ':status': push.status, 'apns-id': apnsId, 'content-type': 'application/json' });
    stream.end(JSON.stringify(body));
  }

  private notify(push: RecordedPush): void {
    if (this.listeners.size === 0) return;
    const accepted: AcceptedPush = {
      token: push.token,
      topic: push.topic,
      pushMagic: push.pushMagic,
      at: push.at,
    };
    for (const listener of this.listeners) {
      try {
        listener(accepted);
      } catch {
        this.counters.listenerErrors += 1;
      }
    }
  }

  private identityOf(session: Http2Session | undefined): ClientIdentity {
    if (session === undefined) return { refusal: { status: 403, reason: 'BadCertificate' } };
    let identity = this.identities.get(session);
    if (identity === undefined) {
      identity = identify((session.socket as TLSSocket).getPeerX509Certificate?.());
      this.identities.set(session, identity);
    }
    return identity;
  }
}

/** What Apple answers for the client certificate presented on a connection. */
function identify(cert: X509Certificate | undefined): ClientIdentity {
  if (cert === undefined) return { refusal: { status: 403, reason: 'MissingProviderToken' } };
  const now = Date.now();
  if (now > Date.parse(cert.validTo) || now < Date.parse(cert.validFrom)) {
    return { refusal: { status: 403, reason: 'BadCertificate' } };
  }
  try {
    return { topic: pushTopicOf(cert) };
  } catch {
    // Not an MDM push certificate (no com.apple.mgmt. UID): Apple did not issue it for MDM.
    return { refusal: { status: 403, reason: 'BadCertificate' } };
  }
}

/** The PushMagic from `{"mdm":"<PushMagic>"}`, or why the body is refused. */
function mdmPayload(body: Buffer): string | { reason: string } {
  if (body.length === 0) return { reason: 'PayloadEmpty' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    // Apple documents no reason string for unparseable JSON; this one is the fake's own.
    return { reason: 'BadPayload' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { reason: 'BadPayload' };
  const keys = Object.keys(parsed);
  const mdm = (parsed as { mdm?: unknown }).mdm;
  if (typeof mdm !== 'string' || mdm === '') return { reason: 'PayloadEmpty' };
  // An MDM payload may contain nothing else (node-apn#348, reference apple-mdm.md §5).
  if (keys.length !== 1) return { reason: 'BadPayload' };
  return mdm;
}

function defaultReason(status: number): string {
  const reasons: Record<number, string> = {
    400: 'BadDeviceToken',
    403: 'BadCertificate',
    404: 'BadPath',
    405: 'MethodNotAllowed',
    410: 'Unregistered',
    413: 'PayloadTooLarge',
    429: 'TooManyRequests',
    500: 'InternalServerError',
    503: 'ServiceUnavailable',
  };
  return reasons[status] ?? 'InternalServerError';
}
