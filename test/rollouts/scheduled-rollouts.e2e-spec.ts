import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { JobQueue, QueueName } from '#libs/jobs';
import { ANDROID_WAITING_REASON, ReconcilerService, RolloutFanOutService } from '#libs/rollouts';
import { eventually } from '../support/awake-phones.js';
import type { SeededTenant } from '../support/api-harness.js';
import { type RolloutHarness, startRollouts } from '../support/rollout-harness.js';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('rollouts: scheduled enforcement, silent phones, Android deliveries', () => {
  let r: RolloutHarness;
  let dinum: SeededTenant;

  const http = () => r.h.api.http();
  const rollout = async (id: string) =>
    (await http().get(`/v1/rollouts/${id}`).set(r.as(dinum, 'auditor'))).body;
  const startJob = (rolloutId: string) =>
    r.worker.get(JobQueue).queue(QueueName.Rollouts).getJob(`rollout-start.${rolloutId}`);
  /** Enrolls the phones first, then creates the policy: `effectiveAt` is computed once they are in. */
  const setUp = async (slug: string, phones: number, effectiveAt?: () => Date) => {
    await http().post('/v1/groups').set(r.as(dinum, 'officer')).send({ slug, name: slug }).expect(201);
    const enrolled = await r.enroll(dinum, slug, phones);
    await http()
      .post('/v1/policies')
      .set(r.as(dinum, 'officer'))
      .send({
        slug,
        name: slug,
        groups: [slug],
        blockLists: ['fr-gov-2023-messaging'],
        ...(effectiveAt ? { effectiveAt: effectiveAt().toISOString() } : {}),
      })
      .expect(201);
    return enrolled;
  };
  const publish = async (slug: string) =>
    (await http().post(`/v1/policies/${slug}/versions`).set(r.as(dinum, 'officer')).expect(201)).body as {
      rolloutId: string;
      effectiveAt: string;
    };

  beforeAll(async () => {
    // Silent phones are pushed again after 1 s, 2 s, 4 s...; the reconciler looks every 2 s.
    r = await startRollouts({ ROLLOUT_REPUSH_SECONDS: '1' });
    dinum = await r.seed('dinum');
  });
  afterAll(() => r.close());

  it('a version effective in a few seconds rolls out at that moment, not before', async () => {
    let effectiveAt = new Date();
    await setUp('bientot', 2, () => (effectiveAt = new Date(Date.now() + 6_000)));
    const { rolloutId } = await publish('bientot');
    const waiting = await rollout(rolloutId);
    expect(waiting).toMatchObject({ state: 'scheduled', total: 0, startedAt: null });
    expect(new Date(waiting.startsAt).getTime()).toBe(effectiveAt.getTime());
    const job = await startJob(rolloutId);
    expect(await job?.getState()).toBe('delayed');

    const done = await eventually('scheduled rollout verified', async () => {
      const body = await rollout(rolloutId);
      return body.counts?.verified === 2 ? body : undefined;
    });
    expect(new Date(done.startedAt).getTime()).toBeGreaterThanOrEqual(effectiveAt.getTime());
  });

  it('the ban published on 1 December with effectiveAt 8 December waits, survives a Redis flush, and goes out on the 8th', async () => {
    let effectiveAt = new Date();
    const phones = await setUp(
      'messageries-8-decembre',
      2,
      () => (effectiveAt = new Date(Date.now() + 7 * DAY_MS)),
    );
    const { rolloutId } = await publish('messageries-8-decembre');

    const job = await startJob(rolloutId);
    expect(await job?.getState()).toBe('delayed');
    expect(job!.delay).toBeGreaterThan(7 * DAY_MS - 60_000);
    expect(job!.delay).toBeLessThanOrEqual(7 * DAY_MS);
    // Run early by mistake (or by a reconciler), the start does nothing before its time.
    expect(await r.worker.get(RolloutFanOutService).start(rolloutId)).toEqual({
      started: false,
      reason: 'not-due',
    });
    expect(await rollout(rolloutId)).toMatchObject({ state: 'scheduled', total: 0 });
    for (const phone of phones) expect(r.phones.installs(phone)).toBe(0);

    // Redis loses everything: the row brings the schedule back, with the time left.
    await r.flushRedis();
    expect(await startJob(rolloutId)).toBeUndefined();
    await r.worker.get(ReconcilerService).reconcile();
    const restored = await startJob(rolloutId);
    expect(await restored?.getState()).toBe('delayed');
    expect(restored!.delay).toBeGreaterThan(7 * DAY_MS - 120_000);

    // On 8 December (the clock handed to the fan-out), it goes out.
    const started = await r.worker
      .get(RolloutFanOutService)
      .start(rolloutId, new Date(effectiveAt.getTime() + 1));
    expect(started).toMatchObject({ started: true, deliveries: 2 });
    await r.worker.get(ReconcilerService).pushFirstRound(rolloutId, 1);
    await eventually(
      '8 December rollout verified',
      async () => (await rollout(rolloutId)).counts?.verified === 2,
    );
  });

  it('pushes a silent phone again with a doubling delay, and verifies it once it answers', async () => {
    const [phone] = await setUp('silencieux', 1);
    r.phones.asleep.add(phone);
    const { rolloutId } = await publish('silencieux');
    const token = phone.pushToken.toString('hex');
    await eventually(
      'three pushes to the silent phone',
      async () => r.apns.pushesFor(token).length >= 3,
      90_000,
    );
    const { rows } = await r.h.api.sql(
      `SELECT state, push_count, extract(epoch FROM next_push_at - last_pushed_at)::float AS wait
         FROM deliveries WHERE rollout_id = $1`,
      [rolloutId],
    );
    expect(rows[0].state).toBe('pushed');
    expect(rows[0].wait).toBeCloseTo(2 ** (rows[0].push_count - 1), 1);
    r.phones.asleep.delete(phone);
    await eventually('silent phone verified', async () => (await rollout(rolloutId)).counts?.verified === 1);
    const after = await r.h.api.sql(`SELECT next_push_at FROM deliveries WHERE rollout_id = $1`, [rolloutId]);
    expect(after.rows[0].next_push_at).toBeNull();
  }, 150_000);

  it('creates Android deliveries that wait for the Android channel', async () => {
    await setUp('mixte', 1);
    const group = await r.h.api.sql(`SELECT id FROM device_groups WHERE slug = 'mixte' AND tenant_id = $1`, [
      dinum.id,
    ]);
    await r.h.api.sql(
      `INSERT INTO devices (tenant_id, platform, group_id, udid, status) VALUES ($1, 'android', $2, 'android-1', 'enrolled')`,
      [dinum.id, group.rows[0].id],
    );
    const { rolloutId } = await publish('mixte');
    const body = await eventually('iPhone verified', async () => {
      const b = await rollout(rolloutId);
      return b.counts?.verified === 1 ? b : undefined;
    });
    expect(body).toMatchObject({ total: 2, counts: { pending: 1 }, percentDone: 50, complete: false });
    expect(body.reasons).toEqual([{ state: 'pending', reason: ANDROID_WAITING_REASON, count: 1 }]);
    const commands = await r.h.api.sql(
      `SELECT count(*)::int AS n FROM mdm_commands c JOIN devices d ON d.id = c.device_id WHERE d.udid = 'android-1'`,
    );
    expect(commands.rows[0].n).toBe(0);
  });
});
