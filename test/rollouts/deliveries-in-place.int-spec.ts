import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '#libs/persistence';
import { DeliveryPushesService, type PushVerdict } from '#libs/rollouts';
import { createTestEnvironment, type TestEnvironment } from '../support/test-environment.js';

/** Every column a push, an acknowledgement or a verification writes (libs/rollouts). */
const WRITTEN_AS_A_ROLLOUT_MOVES = [
  'state',
  'reason',
  'push_count',
  'last_pushed_at',
  'next_push_at',
  'acknowledged_at',
  'verified_at',
  'updated_at',
];

describe('deliveries are updated in place as a rollout moves (HOT: no index written per push)', () => {
  let env: TestEnvironment;
  let dataSource: DataSource;

  beforeAll(async () => {
    env = await createTestEnvironment();
    dataSource = await new DataSource(dataSourceOptions(env.config.DATABASE_URL, 2)).initialize();
  });
  afterAll(async () => {
    await dataSource.destroy();
    await env.dispose();
  });

  it('no index of deliveries covers, or filters on, a column that a rollout rewrites', async () => {
    const { rows } = await env.sql(
      `SELECT i.indexrelid::regclass::text AS index, a.attname AS column
         FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid
        WHERE i.indrelid = 'deliveries'::regclass AND a.attnum > 0
          AND (a.attnum = ANY(i.indkey)
               OR pg_get_expr(i.indpred, i.indrelid) ~ ('\\m' || a.attname || '\\M')
               OR pg_get_expr(i.indexprs, i.indrelid) ~ ('\\m' || a.attname || '\\M'))`,
    );
    expect(rows.length).toBeGreaterThan(0);
    const rewritten = rows.filter((r) => WRITTEN_AS_A_ROLLOUT_MOVES.includes(r.column));
    expect(rewritten).toEqual([]);
  });

  it('a slice of pushes writes each delivery on its own page, leaving the indexes alone', async () => {
    const { rows: options } = await env.sql(`SELECT reloptions FROM pg_class WHERE relname = 'deliveries'`);
    expect(options[0].reloptions).toContain('fillfactor=50');

    const tenantId = randomUUID();
    const rolloutId = randomUUID();
    await env.sql(
      `INSERT INTO deliveries (tenant_id, rollout_id, device_id, policy_version_id, platform, state, command_id, slice, next_push_at)
       SELECT $1, $2, gen_random_uuid(), gen_random_uuid(), 'ios', 'pending', gen_random_uuid(), 0, now()
         FROM generate_series(1, 1000)`,
      [tenantId, rolloutId],
    );
    const pages = async () =>
      new Map(
        (
          await env.sql(
            `SELECT id, (ctid::text::point)[0]::int AS page, state, push_count FROM deliveries WHERE rollout_id = $1`,
            [rolloutId],
          )
        ).rows.map((r) => [r.id as string, r]),
      );
    const before = await pages();
    const verdicts: PushVerdict[] = [...before.keys()].map((deliveryId) => ({
      deliveryId,
      deviceId: randomUUID(),
      pushCount: 0,
      outcome: 'accepted',
      status: 200,
    }));
    await new DeliveryPushesService(dataSource, env.config).record(verdicts);

    const after = await pages();
    const moved = [...before].filter(([id, row]) => after.get(id)?.page !== row.page);
    expect(moved).toEqual([]);
    expect([...after.values()].every((r) => r.state === 'pushed' && r.push_count === 1)).toBe(true);
  });
});
