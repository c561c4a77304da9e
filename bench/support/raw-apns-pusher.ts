import http2 from 'node:http2';

/*
 * The ceiling a push client is measured against: the same MDM requests, the same client
 * certificate, the same number of streams on one HTTP/2 connection, and nothing else (no queue,
 * no validation, no timers, no result objects). Used by bench:apns and by the rollout bench.
 */

export interface RawApnsPushOptions {
  url: string;
  /** Extra trusted CA (the fake's). */
  ca?: string;
  certificatePem: string;
  privateKeyPem: string;
  topic: string;
  pushes: number;
  /** Streams in flight at once. */
  concurrency: number;
  /** Device token of push i (hex). Default: i as 32 bytes of hex. */
  tokenOf?: (i: number) => string;
}

export interface RawApnsPushResult {
  pushes: number;
  accepted: number;
  seconds: number;
  pushesPerSecond: number;
  byStatus: Record<number, number>;
}

export function benchDeviceToken(i: number): string {
  return i.toString(16).padStart(64, '0');
}

export async function rawApnsPush(options: RawApnsPushOptions): Promise<RawApnsPushResult> {
  const tokenOf = options.tokenOf ?? benchDeviceToken;
  const session = http2.connect(options.url, {
    cert: options.certificatePem,
    key: options.privateKeyPem,
    ...(options.ca === undefined ? {} : { ca: options.ca }),
    peerMaxConcurrentStreams: options.concurrency,
    maxSessionMemory: 64,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      session.once('remoteSettings', () => resolve());
      session.once('error', reject);
    });
    const body = JSON.stringify({ mdm: 'BENCH-PUSH-MAGIC' });
    const expiration = String(Math.floor(Date.now() / 1000) + 86_400);
    const byStatus: Record<number, number> = {};
    let next = 0;
    let done = 0;
    const started = process.hrtime.bigint();
    await new Promise<void>((resolve, reject) => {
      session.once('error', reject);
      session.once('close', () => reject(new Error('raw pusher: the connection closed')));
      const sendOne = (): void => {
        const i = next++;
        const stream = session.request({
          ':method': 'POST',
          ':path': `/3/device/${tokenOf(i)}`,
          'content-type': 'application/json',
          'apns-push-type': 'mdm',
          'apns-topic': options.topic,
          'apns-expiration': expiration,
          'apns-priority': '10',
        });
        let status = 0;
        stream.on('response', (headers) => {
          status = Number(headers[':status']);
        });
        stream.on('data', () => {});
        stream.on('error', () => {});
        stream.on('close', () => {
          byStatus[status] = (byStatus[status] ?? 0) + 1;
          done += 1;
          if (next < options.pushes) sendOne();
          else if (done === options.pushes) resolve();
        });
        stream.end(body);
      };
      for (let k = 0; k < Math.min(options.concurrency, options.pushes); k++) sendOne();
      if (options.pushes === 0) resolve();
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return {
      pushes: options.pushes,
      accepted: byStatus[200] ?? 0,
      seconds,
      pushesPerSecond: options.pushes / seconds,
      byStatus,
    };
  } finally {
    session.destroy();
  }
}
