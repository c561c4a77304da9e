import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Queue, QueueEvents } from 'bullmq';
import { ApplePushesProcessor } from '../../apps/worker/src/push/apple-pushes.processor.js';
import { WorkerModule } from '../../apps/worker/src/worker.module.js';
import { TenantsService } from '#libs/auth';
import { JobName, JobQueue, QueueName } from '#libs/jobs';
import { createTestEnvironment, type TestEnvironment } from '../support/test-environment.js';

describe('worker: the tenant re-evaluation after a rollout waits for the push round (real Redis)', () => {
  let env: TestEnvironment;
  let worker: INestApplicationContext;
  let events: QueueEvents;

  beforeAll(async () => {
    env = await createTestEnvironment();
    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(env.config), { logger: false });
    await worker.init();
    events = new QueueEvents(QueueName.Compliance, {
      connection: { url: env.config.REDIS_URL },
      prefix: env.config.QUEUE_PREFIX,
    });
    await events.waitUntilReady();
  });
  afterAll(async () => {
    await events.close();
    await worker.close();
    for (const name of [QueueName.Compliance, QueueName.ApplePushes]) {
      const queue = new Queue(name, {
        connection: { url: env.config.REDIS_URL },
        prefix: env.config.QUEUE_PREFIX,
      });
      await queue.obliterate({ force: true });
      await queue.close();
    }
    await env.dispose();
  });

  it('is delayed while a push slice waits, and evaluates the tenant once the slice has run', async () => {
    const tenant = await worker.get(TenantsService).create('dinum', 'DINUM', 'cli:test');
    const pushWorker = worker.get(ApplePushesProcessor).worker;
    // Waits for its blocking fetch to end: a job added after this stays waiting.
    await pushWorker.pause();
    const jobs = worker.get(JobQueue);
    await jobs.enqueue({
      name: JobName.ApplePushSlice,
      data: { rolloutId: randomUUID(), slice: 0, round: 1 },
    });
    const id = await jobs.enqueue({ name: JobName.ComplianceEvaluateTenant, data: { tenantId: tenant.id } });
    const job = (await jobs.queue(QueueName.Compliance).getJob(id!))!;

    const states: string[] = [];
    const until = Date.now() + 4_000;
    while (Date.now() < until) {
      states.push(await job.getState());
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(states).toContain('delayed');
    expect(states).not.toContain('completed');
    expect(states).not.toContain('failed');

    pushWorker.resume();
    await expect(job.waitUntilFinished(events, 30_000)).resolves.toEqual({ changes: 0 });
  });
});
