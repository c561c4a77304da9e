import { ApnsClient } from './apns-client.js';
import { ApnsClientError } from './apns-client-error.js';
import type { ApnsClientOptions } from './apns-types.js';
import { certificateFingerprint, type PushCredentials } from './push-credentials.js';

/*
 * One ApnsClient (so one HTTP/2 connection) per push certificate, for a worker that pushes for many
 * tenants. A tenant that uploads a renewed certificate gets a new client on its next push, and the
 * old one is closed once idle, like any client nobody has used for `idleTimeoutMs`.
 */

export interface ApnsClientPoolOptions extends Omit<ApnsClientOptions, 'certificatePem' | 'privateKeyPem'> {
  /** Close a client that has had nothing to do for this long. Default 5 minutes. */
  idleTimeoutMs?: number;
}

export const DEFAULT_POOL_IDLE_TIMEOUT_MS = 5 * 60_000;
/** Certificates whose fingerprint is remembered (one per tenant in practice). */
const MAX_REMEMBERED_CERTIFICATES = 10_000;

interface PoolEntry {
  client: ApnsClient;
  /** The owner key (tenant id, say) that last asked for it. */
  owner?: string;
}

export class ApnsClientPool {
  private readonly byFingerprint = new Map<string, PoolEntry>();
  private readonly fingerprintByOwner = new Map<string, string>();
  private readonly fingerprints = new Map<string, string>();
  private readonly idleTimeoutMs: number;
  private readonly sweeper: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly options: ApnsClientPoolOptions) {
    this.idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_POOL_IDLE_TIMEOUT_MS;
    this.sweeper = setInterval(
      () => void this.closeIdle(),
      Math.max(1000, Math.floor(this.idleTimeoutMs / 2)),
    );
    this.sweeper.unref();
  }

  /**
   * The client for this push certificate, created on first use. With `owner` (e.g. the tenant id),
   * a different certificate than the owner's previous one replaces that client: the old one is
   * closed once the pushes already given to it are answered.
   */
  clientFor(credentials: PushCredentials, owner?: string): ApnsClient {
    if (this.closed) throw new ApnsClientError('POOL_CLOSED', 'ApnsClientPool is closed');
    const fingerprint = this.fingerprintOf(credentials.certificatePem);
    if (owner !== undefined) {
      const previous = this.fingerprintByOwner.get(owner);
      if (previous !== undefined && previous !== fingerprint) void this.remove(previous, { drain: true });
      this.fingerprintByOwner.set(owner, fingerprint);
    }
    let entry = this.byFingerprint.get(fingerprint);
    if (entry === undefined) {
      const { idleTimeoutMs: _idle, ...clientOptions } = this.options;
      entry = { client: new ApnsClient({ ...clientOptions, ...credentials }), owner };
      this.byFingerprint.set(fingerprint, entry);
    }
    return entry.client;
  }

  /** Parsing the certificate costs more than a push: done once per certificate, not per slice. */
  private fingerprintOf(certificatePem: string): string {
    let fingerprint = this.fingerprints.get(certificatePem);
    if (fingerprint === undefined) {
      if (this.fingerprints.size >= MAX_REMEMBERED_CERTIFICATES) this.fingerprints.clear();
      fingerprint = certificateFingerprint(certificatePem);
      this.fingerprints.set(certificatePem, fingerprint);
    }
    return fingerprint;
  }

  get size(): number {
    return this.byFingerprint.size;
  }

  /** Closes the clients idle for at least idleTimeoutMs; resolves with how many were closed. */
  async closeIdle(nowMs: number = Date.now()): Promise<number> {
    const idle = [...this.byFingerprint].filter(([, entry]) => {
      const since = entry.client.idleSinceMs();
      return since !== undefined && nowMs - since >= this.idleTimeoutMs;
    });
    await Promise.all(idle.map(([fingerprint]) => this.remove(fingerprint)));
    return idle.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    await Promise.all([...this.byFingerprint.keys()].map((fingerprint) => this.remove(fingerprint)));
  }

  private async remove(fingerprint: string, closeOptions: { drain?: boolean } = {}): Promise<void> {
    const entry = this.byFingerprint.get(fingerprint);
    if (entry === undefined) return;
    this.byFingerprint.delete(fingerprint);
    if (entry.owner !== undefined && this.fingerprintByOwner.get(entry.owner) === fingerprint) {
      this.fingerprintByOwner.delete(entry.owner);
    }
    await entry.client.close(closeOptions);
  }
}
