import { performance } from 'node:perf_hooks';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { PushCertificatesService, type PushCredentialsView } from '#libs/apple-server';
import { DeliveryPushesService, type DuePush, type PushOutcome, type PushVerdict } from '#libs/rollouts';
import { WorkerMetricsService } from '../metrics/worker-metrics.service.js';
import { PUSH_SENDER, type PushChannel, type PushSender } from './push-sender.js';

export type PushSliceReport = { due: number; held?: string } & Partial<
  Record<PushOutcome | 'unpushable', number>
>;

/** Thrown after a slice is done when some pushes must be retried: BullMQ retries the job with backoff. */
export class PushesToRetryError extends Error {
  override readonly name = 'PushesToRetryError';
}

/**
 * Wakes the phones of one slice of a rollout: the deliveries due for a push, pushed over the
 * tenant's APNs connection (multiplexed), outcomes written back in bulk. A certificate that is
 * missing, expired or refused holds the slice with the reason on each delivery; it never throws, so
 * a broken certificate costs one cheap job per reconciler period, not a crash loop.
 */
@Injectable()
export class PushLegService implements OnModuleDestroy {
  private readonly logger = new Logger(PushLegService.name);

  constructor(
    private readonly deliveries: DeliveryPushesService,
    private readonly pushCertificates: PushCertificatesService,
    private readonly metrics: WorkerMetricsService,
    @Inject(PUSH_SENDER) private readonly sender: PushSender,
  ) {}

  /** Closes the APNs connections once the in-flight pushes are answered. */
  onModuleDestroy(): Promise<void> {
    return this.sender.close();
  }

  async pushSlice(rolloutId: string, slice: number, now = new Date()): Promise<PushSliceReport> {
    const due = await this.deliveries.due(rolloutId, slice);
    if (due.length === 0) return { due: 0 };
    const tenantId = due[0].tenantId;
    const ids = due.map((d) => d.deliveryId);

    const credentials = await this.credentials(tenantId);
    const problem = certificateProblem(credentials, now);
    if (problem !== null) {
      await this.deliveries.hold(ids, problem);
      this.logger.warn({ tenantId, rolloutId, slice, deliveries: ids.length }, problem);
      return { due: due.length, held: problem };
    }
    const usable = credentials as PushCredentialsView;

    const unregistered = due.filter((d) => d.tokenInvalid).map((d) => d.deliveryId);
    const tokenless = due
      .filter((d) => !d.tokenInvalid && (!d.pushToken || !d.pushMagic))
      .map((d) => d.deliveryId);
    await this.deliveries.markUnpushable(
      unregistered,
      'APNs token unregistered (410): waiting for the phone to send a new token',
    );
    await this.deliveries.markUnpushable(tokenless, 'the phone has sent no push token');
    const pushable = due.filter((d) => !d.tokenInvalid && d.pushToken && d.pushMagic);

    const channel = this.sender.channel(tenantId, {
      certificatePem: usable.certificatePem,
      privateKeyPem: usable.privateKeyPem,
    });
    const verdicts = await Promise.all(pushable.map((d) => this.pushOne(channel, usable.topic, d)));
    this.countPushes(verdicts);
    await this.deliveries.record(verdicts);

    const report: PushSliceReport = { due: due.length, unpushable: unregistered.length + tokenless.length };
    for (const v of verdicts) report[v.outcome] = (report[v.outcome] ?? 0) + 1;
    const retry = verdicts.filter((v) => v.outcome === 'retry');
    if (retry.length > 0) {
      const reasons = [...new Set(retry.map((v) => `${v.status || 'no answer'} ${v.reason ?? ''}`.trim()))];
      throw new PushesToRetryError(
        `${retry.length} of ${pushable.length} pushes to retry (${reasons.slice(0, 3).join(', ')})`,
      );
    }
    return report;
  }

  /**
   * Wakes phones that have commands waiting outside any rollout (the compliance inventory refresh),
   * over the same certificate checks and APNs connection. Never throws: a phone that is not woken
   * picks up its commands at its next check-in.
   */
  async wakeDevices(
    tenantId: string,
    devices: Array<{
      deviceId: string;
      pushToken: string | null;
      pushMagic: string | null;
      tokenInvalid: boolean;
    }>,
    now = new Date(),
  ): Promise<{ pushed: number; unregistered: string[]; held?: string }> {
    const credentials = await this.credentials(tenantId);
    const problem = certificateProblem(credentials, now);
    if (problem !== null) return { pushed: 0, unregistered: [], held: problem };
    const usable = credentials as PushCredentialsView;
    const pushable = devices.filter((d) => !d.tokenInvalid && d.pushToken && d.pushMagic);
    const channel = this.sender.channel(tenantId, {
      certificatePem: usable.certificatePem,
      privateKeyPem: usable.privateKeyPem,
    });
    const results = await Promise.all(
      pushable.map(async (d) => {
        const result = await channel.push({
          deviceToken: d.pushToken!,
          pushMagic: d.pushMagic!,
          topic: usable.topic,
        });
        this.metrics.pushes.inc({ outcome: result.outcome, status: String(result.status) });
        return { deviceId: d.deviceId, outcome: result.outcome };
      }),
    );
    return {
      pushed: results.filter((r) => r.outcome === 'accepted').length,
      unregistered: results.filter((r) => r.outcome === 'unregistered').map((r) => r.deviceId),
    };
  }

  private async credentials(tenantId: string): Promise<PushCredentialsView | null | Error> {
    try {
      return await this.pushCertificates.credentials(tenantId);
    } catch (error) {
      // The stored key cannot be decrypted (REMPART_MASTER_KEY changed): an operator's problem.
      return error as Error;
    }
  }

  private async pushOne(channel: PushChannel, topic: string, due: DuePush): Promise<PushVerdict> {
    const started = performance.now();
    const result = await channel.push({ deviceToken: due.pushToken!, pushMagic: due.pushMagic!, topic });
    this.metrics.pushDuration.observe({ outcome: result.outcome }, (performance.now() - started) / 1000);
    return {
      deliveryId: due.deliveryId,
      deviceId: due.deviceId,
      pushCount: due.pushCount,
      outcome: result.outcome,
      status: result.status,
      reason: result.reason,
    };
  }

  /** The pushes counter, once per outcome and status of the slice rather than once per push. */
  private countPushes(verdicts: PushVerdict[]): void {
    const counts = new Map<string, { outcome: PushOutcome; status: number; n: number }>();
    for (const v of verdicts) {
      const key = `${v.outcome} ${v.status}`;
      const entry = counts.get(key);
      if (entry) entry.n += 1;
      else counts.set(key, { outcome: v.outcome, status: v.status, n: 1 });
    }
    for (const { outcome, status, n } of counts.values()) {
      this.metrics.pushes.inc({ outcome, status: String(status) }, n);
    }
  }
}

/** Why the tenant's certificate cannot push now, or null when it can. */
function certificateProblem(credentials: PushCredentialsView | null | Error, now: Date): string | null {
  if (credentials === null) {
    return 'no APNs push certificate: upload one (PUT /v1/apple/push-certificate) to wake phones';
  }
  if (credentials instanceof Error) {
    return `the APNs push certificate key cannot be decrypted (${credentials.message}); upload the certificate again`;
  }
  if (credentials.notAfter <= now) {
    return `APNs push certificate ${credentials.topic} expired on ${credentials.notAfter.toISOString()}: renew it at Apple and upload it`;
  }
  return null;
}
