import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Queue, QueueEvents } from 'bullmq';
import { WorkerModule } from '../../apps/worker/src/worker.module.js';
import type { AppConfig } from '#libs/config';
import { QueueName } from '#libs/jobs';
import { createTestEnvironment, type TestEnvironment } from './test-environment.js';

/** Removes every queue of this deployment (its QUEUE_PREFIX) from Redis: jobs, schedulers, counters. */
export async function obliterateQueues(config: Pick<AppConfig, 'REDIS_URL' | 'QUEUE_PREFIX'>): Promise<void> {
  for (const name of Object.values(QueueName)) {
    const queue = new Queue(name, { connection: { url: config.REDIS_URL }, prefix: config.QUEUE_PREFIX });
    await queue.obliterate({ force: true });
    await queue.close();
  }
}

export interface WorkerContext {
  env: TestEnvironment;
  /** The worker module in this process, on the real queues. */
  worker: INestApplicationContext;
  /** Completion events of `queue`, for job.waitUntilFinished. */
  events: QueueEvents;
  close: () => Promise<void>;
}

/** A database of its own, the worker module started on it, and the events of one queue. */
export async function startWorkerContext(queue: QueueName): Promise<WorkerContext> {
  const env = await createTestEnvironment();
  const worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(env.config), {
    logger: false,
  });
  await worker.init();
  const events = new QueueEvents(queue, {
    connection: { url: env.config.REDIS_URL },
    prefix: env.config.QUEUE_PREFIX,
  });
  await events.waitUntilReady();
  return {
    env,
    worker,
    events,
    close: async () => {
      await events.close();
      await worker.close();
      await obliterateQueues(env.config);
      await env.dispose();
    },
  };
}
