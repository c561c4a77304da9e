import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApplePushesProcessor } from '../../apps/worker/src/push/apple-pushes.processor.js';
import { TenantsService } from '#libs/auth';
import { JobName, JobQueue, QueueName } from '#libs/jobs';
import { startWorkerContext, type WorkerContext } from '../support/worker-context.js';

describe('worker: the tenant re-evaluation after a rollout waits for the push round (real Redis)', () => {
  let context: WorkerContext;

  beforeAll(async () => {
    context = await startWorkerContext(QueueName.Compliance);
  });
  afterAll(() => context.close());

  it('is delayed while a push slice waits, and evaluates the tenant once the slice has run', async () => {
    const tenant = await context.worker.get(TenantsService).create('dinum', 'DINUM', 'cli:test');
    const pushWorker = context.worker.get(ApplePushesProcessor).worker;
    // Waits for its blocking fetch to end: a job added after this stays waiting.
    await pushWorker.pause();
    const jobs = context.worker.get(JobQueue);
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
    await expect(job.waitUntilFinished(context.events, 30_000)).resolves.toEqual({ changes: 0 });
  });
});
