import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import type { QueueEvents } from 'bullmq';
import { PushCertificatesService } from '#libs/apple-server';
import { TenantsService } from '#libs/auth';
import { JobName, JobQueue, QueueName } from '#libs/jobs';
import { makePushCertificate } from '../support/push-certificate.js';
import type { TestEnvironment } from '../support/test-environment.js';
import { startWorkerContext, type WorkerContext } from '../support/worker-context.js';

describe('worker: scheduled audit chain verification on the real queue', () => {
  let context: WorkerContext;
  let env: TestEnvironment;
  let worker: INestApplicationContext;
  let events: QueueEvents;

  beforeAll(async () => {
    context = await startWorkerContext(QueueName.Maintenance);
    ({ env, worker, events } = context);
    await worker.get(TenantsService).create('dinum', 'DINUM', 'cli:test');
    await worker.get(TenantsService).create('armees', 'Armées', 'cli:test');
  });
  afterAll(() => context.close());

  it('registers the hourly chain verification and the daily push-certificate check at start', async () => {
    const schedulers = await worker.get(JobQueue).queue(QueueName.Maintenance).getJobSchedulers();
    expect(schedulers.map((s) => s.key)).toEqual(
      expect.arrayContaining(['audit-chain-verify-hourly', 'push-certificate-expiry-daily']),
    );
  });

  it('reports every tenant intact, then names the tampered one', async () => {
    const jobs = worker.get(JobQueue);
    const id = await jobs.enqueue({ name: JobName.AuditChainVerify, data: {} });
    const job = await jobs.queue(QueueName.Maintenance).getJob(id!);
    const report = await job!.waitUntilFinished(events, 30_000);
    expect(report).toEqual(
      expect.arrayContaining([
        { tenant: 'dinum', ok: true, checked: 1 },
        { tenant: 'armees', ok: true, checked: 1 },
      ]),
    );

    await env.sql('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
    await env.sql(`UPDATE audit_events SET actor_label = 'someone-else' WHERE target_id = 'armees'`);
    await env.sql('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
    const again = await jobs.enqueue({ name: JobName.AuditChainVerify, data: {} });
    const second = await (await jobs.queue(QueueName.Maintenance).getJob(again!))!.waitUntilFinished(
      events,
      30_000,
    );
    expect(second).toEqual(
      expect.arrayContaining([
        { tenant: 'dinum', ok: true, checked: 1 },
        expect.objectContaining({ tenant: 'armees', ok: false, brokenAtSeq: 1 }),
      ]),
    );
  });

  it('names the APNs certificates that expire within 30 days', async () => {
    const dinum = await worker.get(TenantsService).getBySlug('dinum');
    const armees = await worker.get(TenantsService).getBySlug('armees');
    const soon = makePushCertificate(10);
    const later = makePushCertificate(365);
    const actor = (tenantId: string) => ({ tenantId, officerId: null, label: 'cli:test' });
    await worker.get(PushCertificatesService).upload(actor(dinum.id), soon);
    await worker.get(PushCertificatesService).upload(actor(armees.id), later);
    const jobs = worker.get(JobQueue);
    const id = await jobs.enqueue({ name: JobName.PushCertificateExpiryCheck, data: {} });
    const report = await (await jobs.queue(QueueName.Maintenance).getJob(id!))!.waitUntilFinished(
      events,
      30_000,
    );
    expect(report).toEqual([{ tenantId: dinum.id, topic: soon.topic, expiresInDays: expect.any(Number) }]);
    expect(report[0].expiresInDays).toBeLessThanOrEqual(10);
  });
});
