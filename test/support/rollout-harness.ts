import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { WorkerModule } from '../../apps/worker/src/worker.module.js';
import { MetricsServer } from '../../apps/worker/src/metrics/metrics-server.js';
import { FakeApns } from '../fakes/fake-apns.js';
import type { SeededTenant } from './api-harness.js';
import { type MdmHarness, startApiAndMdm } from './mdm-harness.js';
import { bearer, uploadPushCertificate } from './officer-actions.js';
import { AwakePhones } from './awake-phones.js';
import { obliterateQueues } from './worker-context.js';
import { SimulatedIphone, type SimulatedApp } from '../simulators/iphone-simulator.js';

export interface RolloutHarness {
  h: MdmHarness;
  apns: FakeApns;
  phones: AwakePhones;
  worker: INestApplicationContext;
  caFile: string;
  metricsUrl: () => string;
  seed: (slug: string, options?: { pushCertificate?: boolean }) => Promise<SeededTenant>;
  /** Enrolls supervised phones into a group through its enrollment URL; they wake on pushes. */
  enroll: (
    tenant: SeededTenant,
    group: string,
    count: number,
    apps?: SimulatedApp[],
  ) => Promise<SimulatedIphone[]>;
  as: (tenant: SeededTenant, role: 'admin' | 'officer' | 'auditor') => { Authorization: string };
  /** Deletes every Redis key of this test file's prefix (what FLUSHALL does to this deployment). */
  flushRedis: () => Promise<number>;
  close: () => Promise<void>;
}

/** api + mdm + worker in this process, a fake APNs the worker pushes to, phones it wakes. */
export async function startRollouts(env: Record<string, string> = {}): Promise<RolloutHarness> {
  const apns = await FakeApns.start();
  const dir = mkdtempSync(path.join(tmpdir(), 'rempart-rollouts-'));
  const caFile = path.join(dir, 'apns-ca.pem');
  writeFileSync(caFile, apns.caPem);
  const h = await startApiAndMdm({
    APNS_URL: apns.url,
    APNS_CA_FILE: caFile,
    WORKER_METRICS_PORT: '0',
    ROLLOUT_RECONCILE_SECONDS: '2',
    ...env,
  });
  const worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(h.api.config), {
    logger: false,
  });
  await worker.init();
  const phones = new AwakePhones(apns);
  const seed = async (slug: string, options: { pushCertificate?: boolean } = {}) => {
    const tenant = await h.api.seedTenant(slug);
    if (options.pushCertificate !== false) await uploadPushCertificate(h.api, tenant);
    return tenant;
  };

  const enroll = async (tenant: SeededTenant, group: string, count: number, apps: SimulatedApp[] = []) => {
    const created = await h.api
      .http()
      .post('/v1/enrollments')
      .set(bearer(tenant, 'officer'))
      .send({ group, platform: 'ios', maxUses: count });
    if (created.status !== 201)
      throw new Error(`enrollment: ${created.status} ${JSON.stringify(created.body)}`);
    const enrolled: SimulatedIphone[] = [];
    for (let i = 0; i < count; i++) {
      const phone = new SimulatedIphone({ supervised: true, installedApps: apps });
      await phone.enroll(created.body.enrollUrl);
      await phone.processCommands();
      phones.add(phone);
      enrolled.push(phone);
    }
    return enrolled;
  };

  const flushRedis = async () => {
    const redis = new Redis(h.api.config.REDIS_URL);
    try {
      let deleted = 0;
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(
          cursor,
          'MATCH',
          `${h.api.config.QUEUE_PREFIX}:*`,
          'COUNT',
          1000,
        );
        cursor = next;
        if (keys.length) deleted += await redis.del(...keys);
      } while (cursor !== '0');
      return deleted;
    } finally {
      redis.disconnect();
    }
  };

  return {
    h,
    apns,
    phones,
    worker,
    caFile,
    metricsUrl: () => `http://127.0.0.1:${worker.get(MetricsServer).port}/metrics`,
    seed,
    enroll,
    as: bearer,
    flushRedis,
    close: async () => {
      phones.stop();
      await phones.idle();
      await worker.close();
      await h.close();
      await obliterateQueues(h.api.config);
      await apns.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
