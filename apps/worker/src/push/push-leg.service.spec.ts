import { describe, expect, it } from '@jest/globals';
import type { PushCertificatesService, PushCredentialsView } from '#libs/apple-server';
import type { JobQueue } from '#libs/jobs';
import type { DeliveryPushesService, DuePush, PushVerdict } from '#libs/rollouts';
import type { DataSource } from 'typeorm';
import { WorkerMetricsService } from '../metrics/worker-metrics.service.js';
import { PushesToRetryError, PushLegService } from './push-leg.service.js';
import type { PushSender, PushSenderRequest, PushSenderResult } from './push-sender.js';

const CREDENTIALS: PushCredentialsView = {
  topic: 'com.apple.mgmt.External.test',
  notAfter: new Date('2030-01-01T00:00:00Z'),
  certificatePem: 'cert',
  privateKeyPem: 'key',
};

function due(id: string, overrides: Partial<DuePush> = {}): DuePush {
  return {
    deliveryId: id,
    deviceId: `device-${id}`,
    tenantId: 'tenant-1',
    pushToken: `token-${id}`,
    pushMagic: `magic-${id}`,
    pushTopic: CREDENTIALS.topic,
    tokenInvalid: false,
    pushCount: 0,
    ...overrides,
  };
}

function setUp(options: {
  due: DuePush[];
  credentials?: PushCredentialsView | null;
  answer?: (request: PushSenderRequest) => PushSenderResult;
}) {
  const calls = {
    held: [] as Array<[string[], string]>,
    recorded: [] as PushVerdict[],
    unpushable: [] as Array<[string[], string]>,
    pushed: [] as PushSenderRequest[],
    channels: 0,
  };
  const deliveries = {
    due: async () => options.due,
    hold: async (ids: string[], reason: string) => void calls.held.push([ids, reason]),
    record: async (verdicts: PushVerdict[]) => void calls.recorded.push(...verdicts),
    markUnpushable: async (ids: string[], reason: string) => {
      if (ids.length) calls.unpushable.push([ids, reason]);
    },
  } as unknown as DeliveryPushesService;
  const certificates = {
    credentials: async () => (options.credentials === undefined ? CREDENTIALS : options.credentials),
  } as unknown as PushCertificatesService;
  const sender: PushSender = {
    channel: () => {
      calls.channels += 1;
      return {
        push: async (request) => {
          calls.pushed.push(request);
          return options.answer?.(request) ?? { status: 200, outcome: 'accepted' };
        },
      };
    },
    close: async () => undefined,
  };
  const metrics = new WorkerMetricsService({ all: () => [] } as unknown as JobQueue, {} as DataSource);
  return { leg: new PushLegService(deliveries, certificates, metrics, sender), calls };
}

describe('PushLegService', () => {
  it('pushes every due delivery of the slice on one channel with the certificate topic', async () => {
    const { leg, calls } = setUp({ due: [due('a'), due('b')] });
    expect(await leg.pushSlice('rollout-1', 0)).toEqual({ due: 2, unpushable: 0, accepted: 2 });
    expect(calls.channels).toBe(1);
    expect(calls.pushed).toEqual([
      { deviceToken: 'token-a', pushMagic: 'magic-a', topic: CREDENTIALS.topic },
      { deviceToken: 'token-b', pushMagic: 'magic-b', topic: CREDENTIALS.topic },
    ]);
    expect(calls.recorded.map((v) => [v.deliveryId, v.outcome])).toEqual([
      ['a', 'accepted'],
      ['b', 'accepted'],
    ]);
  });

  it('records every outcome first, then fails the job for the pushes to retry', async () => {
    const { leg, calls } = setUp({
      due: [due('a'), due('b'), due('c')],
      answer: (r) =>
        r.deviceToken === 'token-b'
          ? { status: 503, outcome: 'retry', reason: 'ServiceUnavailable' }
          : r.deviceToken === 'token-c'
            ? { status: 410, outcome: 'unregistered', reason: 'Unregistered' }
            : { status: 200, outcome: 'accepted' },
    });
    await expect(leg.pushSlice('rollout-1', 0)).rejects.toThrow(
      new PushesToRetryError('1 of 3 pushes to retry (503 ServiceUnavailable)'),
    );
    expect(calls.recorded.map((v) => v.outcome).sort()).toEqual(['accepted', 'retry', 'unregistered']);
  });

  it('holds the slice with the reason, without pushing or throwing, when the certificate is missing or expired', async () => {
    const missing = setUp({ due: [due('a')], credentials: null });
    expect(await missing.leg.pushSlice('rollout-1', 0)).toMatchObject({
      due: 1,
      held: expect.stringMatching(/^no APNs push certificate/),
    });
    expect(missing.calls.held).toEqual([[['a'], expect.stringMatching(/^no APNs push certificate/)]]);
    expect(missing.calls.pushed).toEqual([]);

    const expired = setUp({
      due: [due('a')],
      credentials: { ...CREDENTIALS, notAfter: new Date('2020-01-01T00:00:00Z') },
    });
    await expired.leg.pushSlice('rollout-1', 0);
    expect(expired.calls.held[0][1]).toBe(
      `APNs push certificate ${CREDENTIALS.topic} expired on 2020-01-01T00:00:00.000Z: renew it at Apple and upload it`,
    );
    expect(expired.calls.pushed).toEqual([]);
  });

  it('does not push a token APNs declared unregistered, and says why', async () => {
    const { leg, calls } = setUp({ due: [due('a', { tokenInvalid: true }), due('b')] });
    await leg.pushSlice('rollout-1', 0);
    expect(calls.pushed.map((r) => r.deviceToken)).toEqual(['token-b']);
    expect(calls.unpushable).toEqual([[['a'], expect.stringContaining('unregistered (410)')]]);
  });
});
