import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApplePushesProcessor } from '../../apps/worker/src/push/apple-pushes.processor.js';
import { RolloutsProcessor } from '../../apps/worker/src/rollouts/rollouts.processor.js';
import { WorkerMetricsService } from '../../apps/worker/src/metrics/worker-metrics.service.js';
import { JobName, JobQueue, QueueName } from '#libs/jobs';
import { eventually } from '../support/awake-phones.js';
import { makePushCertificate } from '../support/push-certificate.js';
import type { SeededTenant } from '../support/api-harness.js';
import { type RolloutHarness, startRollouts } from '../support/rollout-harness.js';

const TIKTOK = { identifier: 'com.zhiliaoapp.musically', name: 'TikTok', version: '34.1.0' };
const WHATSAPP = { identifier: 'net.whatsapp.WhatsApp', name: 'WhatsApp', version: '24.1.0' };

describe('rollouts: publishing a version reaches phones already enrolled, through BullMQ and APNs', () => {
  let r: RolloutHarness;
  let dinum: SeededTenant;

  const http = () => r.h.api.http();
  const rollout = async (id: string) =>
    (await http().get(`/v1/rollouts/${id}`).set(r.as(dinum, 'auditor'))).body;
  const createPolicy = async (slug: string, group: string, body: Record<string, unknown> = {}) =>
    http()
      .post('/v1/policies')
      .set(r.as(dinum, 'officer'))
      .send({ slug, name: slug, groups: [group], blockLists: ['fr-gov-2023-messaging'], ...body })
      .expect(201);
  const publish = async (slug: string, query = '') => {
    const res = await http()
      .post(`/v1/policies/${slug}/versions${query}`)
      .set(r.as(dinum, 'officer'))
      .expect(201);
    return res.body as { version: number; rolloutId: string; effectiveAt: string };
  };
  const group = (slug: string) =>
    http().post('/v1/groups').set(r.as(dinum, 'officer')).send({ slug, name: slug }).expect(201);
  const untilVerified = (id: string, count: number) =>
    eventually(`rollout ${id}: ${count} verified`, async () => {
      const body = await rollout(id);
      return body.counts?.verified === count ? body : undefined;
    });

  beforeAll(async () => {
    r = await startRollouts({ QUEUE_CONCURRENCY_APPLE_PUSHES: '3', QUEUE_CONCURRENCY_ROLLOUTS: '1' });
    dinum = await r.seed('dinum');
  });
  afterAll(() => r.close());

  it('creates one delivery and one InstallProfile per enrolled phone, pushes them, and ends verified', async () => {
    await group('cabinets');
    const phones = await r.enroll(dinum, 'cabinets', 3, [TIKTOK, WHATSAPP]);
    expect(phones[0].canLaunch(WHATSAPP.identifier)).toBe(true);
    await createPolicy('messageries', 'cabinets', {
      blockLists: ['fr-gov-2023-messaging', 'fr-gov-2023-recreational'],
    });

    const published = await publish('messageries');
    expect(published.rolloutId).toMatch(/^[0-9a-f-]{36}$/);
    const done = await untilVerified(published.rolloutId, 3);
    // Verified at the ProfileList answer; the phones' sessions go on (inventory, compliance) before
    // their processed commands are recorded.
    await r.phones.idle();
    expect(done).toMatchObject({
      policy: 'messageries',
      version: 1,
      state: 'running',
      total: 3,
      percentDone: 100,
      complete: true,
      counts: { pending: 0, pushed: 0, acknowledged: 0, verified: 3, failed: 0 },
    });
    for (const phone of phones) {
      expect(phone.canLaunch(WHATSAPP.identifier)).toBe(false);
      expect(phone.canLaunch(TIKTOK.identifier)).toBe(false);
      expect(r.apns.pushesFor(phone.pushToken.toString('hex')).map((p) => p.status)).toContain(200);
      expect(r.phones.installs(phone)).toBe(1);
    }
    const commands = await r.h.api.sql(
      `SELECT count(*)::int AS n FROM mdm_commands WHERE request_type = 'InstallProfile' AND params->>'policyVersionId' =
         (SELECT policy_version_id::text FROM rollouts WHERE id = $1)`,
      [published.rolloutId],
    );
    expect(commands.rows[0].n).toBe(3);
    const listed = await http().get('/v1/rollouts').set(r.as(dinum, 'auditor')).expect(200);
    expect(listed.body.map((x: { id: string }) => x.id)).toContain(published.rolloutId);
  });

  it('records a phone that enrolls after the rollout as a delivery of the current version', async () => {
    const before = (await http().get('/v1/rollouts').set(r.as(dinum, 'auditor'))).body.find(
      (x: { policy: string }) => x.policy === 'messageries',
    );
    const [late] = await r.enroll(dinum, 'cabinets', 1, [WHATSAPP]);
    expect(late.canLaunch(WHATSAPP.identifier)).toBe(false);
    const after = await untilVerified(before.id, before.counts.verified + 1);
    expect(after.total).toBe(before.total + 1);
  });

  it('a newer version supersedes one in flight: its open commands are cancelled and never sent', async () => {
    await group('prefectures');
    const phones = await r.enroll(dinum, 'prefectures', 2);
    await createPolicy('prefectures', 'prefectures');
    for (const phone of phones) r.phones.asleep.add(phone);
    const v1 = await publish('prefectures');
    await eventually('v1 pushed', async () => (await rollout(v1.rolloutId)).counts?.pushed === 2);
    // The same lists again: only a forced publication makes a second version.
    const v2 = await publish('prefectures', '?force=true');
    await eventually('v1 superseded', async () => (await rollout(v1.rolloutId)).state === 'superseded');
    expect((await rollout(v1.rolloutId)).counts).toMatchObject({ superseded: 2, pushed: 0 });
    for (const phone of phones) r.phones.asleep.delete(phone);
    for (const phone of phones) await r.phones.wake(phone);
    await untilVerified(v2.rolloutId, 2);
    await r.phones.idle();
    const installs = await r.h.api.sql(
      `SELECT c.status, v.version FROM mdm_commands c
         JOIN policy_versions v ON v.id::text = c.params->>'policyVersionId'
         JOIN policies p ON p.id = v.policy_id AND p.slug = 'prefectures'
        WHERE c.request_type = 'InstallProfile' ORDER BY v.version`,
    );
    expect(installs.rows).toEqual([
      { status: 'cancelled', version: 1 },
      { status: 'cancelled', version: 1 },
      { status: 'acknowledged', version: 2 },
      { status: 'acknowledged', version: 2 },
    ]);
    for (const phone of phones) expect(r.phones.installs(phone)).toBe(1);
  });

  it('officers pause, resume and cancel a rollout (audited); auditors may not; wrong states are 409', async () => {
    await group('armees');
    const phones = await r.enroll(dinum, 'armees', 2);
    for (const phone of phones) r.phones.asleep.add(phone);
    await createPolicy('armees', 'armees');
    const { rolloutId } = await publish('armees');
    await eventually('rollout running', async () => (await rollout(rolloutId)).state === 'running');

    expect((await http().post(`/v1/rollouts/${rolloutId}/pause`).set(r.as(dinum, 'auditor'))).status).toBe(
      403,
    );
    const paused = await http().post(`/v1/rollouts/${rolloutId}/pause`).set(r.as(dinum, 'officer'));
    expect(paused.status).toBe(200);
    expect(paused.body.state).toBe('paused');
    const again = await http().post(`/v1/rollouts/${rolloutId}/pause`).set(r.as(dinum, 'officer'));
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'ROLLOUT_STATE', message: expect.stringContaining('paused') });
    expect(
      (await http().post(`/v1/rollouts/${rolloutId}/resume`).set(r.as(dinum, 'officer'))).body.state,
    ).toBe('running');
    const cancelled = await http().post(`/v1/rollouts/${rolloutId}/cancel`).set(r.as(dinum, 'officer'));
    expect(cancelled.body).toMatchObject({ state: 'cancelled', counts: { cancelled: 2 } });
    const open = await r.h.api.sql(
      `SELECT count(*)::int AS n FROM mdm_commands c JOIN deliveries d ON d.command_id = c.id
        WHERE d.rollout_id = $1 AND c.status IN ('queued', 'sent')`,
      [rolloutId],
    );
    expect(open.rows[0].n).toBe(0);
    const audit = await http().get('/v1/audit-events?action=rollout.cancel').set(r.as(dinum, 'auditor'));
    expect(audit.body.items).toEqual([
      expect.objectContaining({
        action: 'rollout.cancel',
        target: { type: 'rollout', id: rolloutId },
        before: { state: 'running' },
        after: { state: 'cancelled', version: 1 },
      }),
    ]);
    expect((await http().get('/v1/rollouts/not-a-uuid').set(r.as(dinum, 'auditor'))).status).toBe(404);
    const other = await r.seed('armees-ch', { pushCertificate: false });
    expect((await http().get(`/v1/rollouts/${rolloutId}`).set(r.as(other, 'auditor'))).status).toBe(404);
  });

  it('APNs faults: 410 marks the token invalid and is not retried, 400 reasons are recorded, 503 is retried, a garbage token fails alone', async () => {
    await group('douanes');
    const phones = await r.enroll(dinum, 'douanes', 5);
    const [gone, bad, flaky, garbage] = phones;
    const token = (phone: (typeof phones)[number]) => phone.pushToken.toString('hex');
    r.apns.inject({ status: 410, reason: 'Unregistered' }, { token: token(gone) });
    r.apns.inject({ status: 400, reason: 'BadDeviceToken' }, { token: token(bad) });
    r.apns.inject({ status: 503, reason: 'ServiceUnavailable' }, { token: token(flaky), times: 1 });
    await r.h.api.sql(`UPDATE devices SET push_token = 'zz-not-a-token' WHERE udid = $1`, [garbage.udid]);
    await createPolicy('douanes', 'douanes');
    const { rolloutId } = await publish('douanes');

    const settled = await eventually('faulty rollout settled', async () => {
      const body = await rollout(rolloutId);
      return body.counts?.verified === 2 && body.counts?.failed === 3 ? body : undefined;
    });
    const reasons = Object.fromEntries(
      (
        await r.h.api.sql(
          `SELECT v.udid, d.state, d.reason FROM deliveries d JOIN devices v ON v.id = d.device_id WHERE d.rollout_id = $1`,
          [rolloutId],
        )
      ).rows.map((row) => [row.udid, row]),
    );
    expect(reasons[gone.udid]).toMatchObject({ state: 'failed', reason: 'APNs 410 Unregistered' });
    expect(reasons[bad.udid]).toMatchObject({ state: 'failed', reason: 'APNs 400 BadDeviceToken' });
    expect(reasons[flaky.udid]).toMatchObject({ state: 'verified' });
    expect(reasons[garbage.udid].state).toBe('failed');
    expect(reasons[garbage.udid].reason).toMatch(/APNs/);
    expect(settled.reasons).toEqual(
      expect.arrayContaining([{ state: 'failed', reason: 'APNs 410 Unregistered', count: 1 }]),
    );
    const invalid = await r.h.api.sql(`SELECT push_token_invalid_at FROM devices WHERE udid = $1`, [
      gone.udid,
    ]);
    expect(invalid.rows[0].push_token_invalid_at).not.toBeNull();
    expect(r.apns.pushesFor(token(gone))).toHaveLength(1);
    expect(r.apns.pushesFor(token(flaky)).map((p) => p.status)).toEqual([503, 200]);
    r.apns.clearFaults();
  });

  it('an APNs that resets its connections: the pushes caught in it are retried, the rest of the rollout goes on', async () => {
    await group('consulats');
    const phones = await r.enroll(dinum, 'consulats', 4);
    const [unlucky] = phones;
    // The client sends a push whose connection died once more on a fresh one; three resets in a row
    // make it a `retry`, which the slice job's BullMQ retry sends again.
    r.apns.inject({ reset: true }, { token: unlucky.pushToken.toString('hex'), times: 3 });
    await createPolicy('consulats', 'consulats');
    const retries = async () =>
      (await r.worker.get(WorkerMetricsService).pushes.get()).values
        .filter((v) => v.labels.outcome === 'retry')
        .reduce((sum, v) => sum + v.value, 0);
    const before = await retries();
    const { rolloutId } = await publish('consulats');
    const done = await untilVerified(rolloutId, 4);
    expect(done.counts.failed).toBe(0);
    expect(await retries()).toBeGreaterThan(before);
    r.apns.clearFaults();
  });

  it('a push certificate that is expired, missing or whose key does not match holds the deliveries with a clear reason, never failing jobs', async () => {
    const tenant = await r.seed('certificats');
    const asOfficer = r.as(tenant, 'officer');
    await http().post('/v1/groups').set(asOfficer).send({ slug: 'agents', name: 'Agents' }).expect(201);
    const [phone] = await r.enroll(tenant, 'agents', 1);
    const certificate = async (sql: string) =>
      r.h.api.sql(`UPDATE push_certificates SET ${sql} WHERE tenant_id = $1`, [tenant.id]);
    const heldFor = async (rolloutId: string, pattern: RegExp) => {
      const held = await eventually(`delivery held: ${pattern}`, async () => {
        const res = await http().get(`/v1/rollouts/${rolloutId}`).set(r.as(tenant, 'auditor'));
        return pattern.test(res.body.reasons?.[0]?.reason ?? '') ? res.body : undefined;
      });
      expect(held.counts.pending).toBe(1);
      expect(held.failedJobs).toEqual([]);
      // Due again now: the reconciler (every 2 s here) picks it up with the next certificate state.
      await r.h.api.sql(
        `UPDATE deliveries SET next_push_at = now() - interval '1 minute' WHERE rollout_id = $1`,
        [rolloutId],
      );
    };

    await certificate(`not_after = now() - interval '1 day'`);
    await http()
      .post('/v1/policies')
      .set(asOfficer)
      .send({ slug: 'ban', name: 'ban', groups: ['agents'], blockLists: ['fr-gov-2023-messaging'] })
      .expect(201);
    const { rolloutId } = (await http().post('/v1/policies/ban/versions').set(asOfficer).expect(201)).body;
    await heldFor(rolloutId, /^APNs push certificate com\.apple\.mgmt\.External\.[0-9a-f-]+ expired on /);

    await certificate(`not_after = now() + interval '1 year', retired_at = now()`);
    await heldFor(rolloutId, /^no APNs push certificate: upload one/);

    const original = await r.h.api.sql(`SELECT certificate_pem FROM push_certificates WHERE tenant_id = $1`, [
      tenant.id,
    ]);
    const stranger = makePushCertificate();
    await certificate(`retired_at = NULL, certificate_pem = '${stranger.certificatePem}'`);
    await heldFor(rolloutId, /^APNs refused the push certificate: /);
    expect(r.apns.pushesFor(phone.pushToken.toString('hex'))).toEqual([]);

    await certificate(`certificate_pem = '${original.rows[0].certificate_pem}'`);
    await eventually('verified once the certificate is good again', async () => {
      const res = await http().get(`/v1/rollouts/${rolloutId}`).set(r.as(tenant, 'auditor'));
      return res.body.counts?.verified === 1;
    });
  });

  it('keeps a push job that exhausted its attempts with its reason, visible to admins', async () => {
    await group('ambassades');
    const phones = await r.enroll(dinum, 'ambassades', 1);
    r.phones.asleep.add(phones[0]);
    await createPolicy('ambassades', 'ambassades');
    const { rolloutId } = await publish('ambassades');
    await eventually('pushed', async () => (await rollout(rolloutId)).counts?.pushed === 1);
    r.apns.inject({ status: 503, reason: 'ServiceUnavailable' });
    await r.h.api.sql(`UPDATE deliveries SET next_push_at = now() WHERE rollout_id = $1`, [rolloutId]);
    // One attempt only, so that the test does not wait out the real backoff.
    await r.worker
      .get(JobQueue)
      .queue(QueueName.ApplePushes)
      .add(
        JobName.ApplePushSlice,
        { rolloutId, slice: 0, round: 99 },
        { jobId: `push.${rolloutId}.0.99`, attempts: 1 },
      );
    const failed = await eventually('failed job listed', async () => {
      const res = await http().get('/v1/jobs/failed').set(r.as(dinum, 'admin'));
      return res.body.find?.((j: { id: string }) => j.id === `push.${rolloutId}.0.99`);
    });
    r.apns.clearFaults();
    expect(failed).toMatchObject({
      queue: 'apple-pushes',
      rolloutId,
      reason: expect.stringMatching(/1 of 1 pushes to retry \(503 ServiceUnavailable\)/),
    });
    expect((await rollout(rolloutId)).failedJobs).toEqual([expect.objectContaining({ id: failed.id })]);
    expect((await http().get('/v1/jobs/failed').set(r.as(dinum, 'officer'))).status).toBe(403);
    const queues = await http().get('/v1/jobs/queues').set(r.as(dinum, 'admin')).expect(200);
    expect(queues.body.map((q: { queue: string }) => q.queue).sort()).toEqual([
      'android',
      'apple-ade',
      'apple-pushes',
      'compliance',
      'maintenance',
      'rollouts',
      'webhooks',
    ]);
  });

  it('serves the queue dashboard to admins only', async () => {
    expect((await http().get('/admin/queues')).status).toBe(401);
    expect((await http().get('/admin/queues').set(r.as(dinum, 'officer'))).status).toBe(403);
    const page = await http().get('/admin/queues').set(r.as(dinum, 'admin'));
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<html/i);
    const api = await http().get('/admin/queues/api/queues').set(r.as(dinum, 'admin'));
    expect(api.status).toBe(200);
    expect(JSON.stringify(api.body)).toContain('apple-pushes');
  });

  it('runs each queue with the concurrency from configuration', () => {
    expect(r.worker.get(ApplePushesProcessor).worker.concurrency).toBe(3);
    expect(r.worker.get(RolloutsProcessor).worker.concurrency).toBe(1);
  });

  it('exposes worker metrics: pushes by APNs status, push latency, queue depths, deliveries by state', async () => {
    const text = await (await fetch(r.metricsUrl())).text();
    expect(text).toMatch(/rempart_apns_pushes_total\{outcome="accepted",status="200"\} [1-9]/);
    expect(text).toMatch(/rempart_apns_pushes_total\{outcome="unregistered",status="410"\} 1/);
    expect(text).toMatch(/rempart_apns_push_duration_seconds_count\{outcome="accepted"\} [1-9]/);
    expect(text).toMatch(/rempart_queue_jobs\{queue="apple-pushes",state="completed"\} [1-9]/);
    expect(text).toMatch(/rempart_deliveries\{state="verified"\} [1-9]/);
  });
});
