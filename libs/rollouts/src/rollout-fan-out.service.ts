import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { PolicyVersionEntity, RolloutEntity } from '#libs/persistence';

/** Why Android deliveries wait: the AMAPI leg comes with the Android channel. */
export const ANDROID_WAITING_REASON = 'Android channel not configured';

export type FanOutResult =
  | { started: true; deliveries: number; slices: number; superseded: number }
  | { started: false; reason: 'not-found' | 'not-scheduled' | 'not-due' | 'superseded' };

/**
 * Starts a rollout: in one transaction, supersedes older versions of the same policy still in
 * flight (their open InstallProfile commands cancelled), then creates one delivery per enrolled
 * device of the version's groups and one InstallProfile command per iPhone, each with one
 * INSERT ... SELECT. Idempotent: a rollout that is no longer `scheduled` is left alone, and the
 * unique (device, version) index keeps a device from getting a version twice.
 */
@Injectable()
export class RolloutFanOutService {
  private readonly logger = new Logger(RolloutFanOutService.name);

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async start(rolloutId: string, now = new Date()): Promise<FanOutResult> {
    return this.dataSource.transaction(async (manager) => {
      const peek = await manager.getRepository(RolloutEntity).findOne({ where: { id: rolloutId } });
      if (!peek) return { started: false, reason: 'not-found' };
      // One fan-out or supersession at a time per policy: versions must not overtake each other.
      await manager.query('SELECT id FROM policies WHERE id = $1 FOR UPDATE', [peek.policyId]);
      const rollout = await manager
        .getRepository(RolloutEntity)
        .createQueryBuilder('r')
        .setLock('pessimistic_write')
        .where('r.id = :id', { id: rolloutId })
        .getOneOrFail();
      if (rollout.state !== 'scheduled') return { started: false, reason: 'not-scheduled' };
      if (rollout.startsAt > now) return { started: false, reason: 'not-due' };

      const newer: Array<{ id: string }> = await manager.query(
        `SELECT id FROM rollouts WHERE policy_id = $1 AND version > $2 AND started_at IS NOT NULL LIMIT 1`,
        [rollout.policyId, rollout.version],
      );
      if (newer.length > 0) {
        await manager.update(RolloutEntity, { id: rollout.id }, { state: 'superseded' });
        return { started: false, reason: 'superseded' };
      }

      const superseded = await this.supersedeOlder(manager, rollout);
      const version = await manager
        .getRepository(PolicyVersionEntity)
        .findOneOrFail({ where: { id: rollout.policyVersionId }, select: { id: true, groupSlugs: true } });
      const deliveries = await this.createDeliveries(manager, rollout, version.groupSlugs);
      await manager.update(RolloutEntity, { id: rollout.id }, { state: 'running', startedAt: now });
      const [{ slices }]: Array<{ slices: number }> = await manager.query(
        `SELECT COALESCE(MAX(slice) + 1, 0)::int AS slices FROM deliveries WHERE rollout_id = $1`,
        [rollout.id],
      );
      this.logger.log(
        { rolloutId, version: rollout.version, deliveries, slices, superseded },
        'rollout started',
      );
      return { started: true, deliveries, slices, superseded };
    });
  }

  /** Older versions of the policy stop: their open deliveries superseded, open commands cancelled. */
  private async supersedeOlder(manager: EntityManager, rollout: RolloutEntity): Promise<number> {
    await manager.query(
      `UPDATE rollouts SET state = 'superseded', updated_at = now()
       WHERE policy_id = $1 AND version < $2 AND state IN ('scheduled', 'running', 'paused')`,
      [rollout.policyId, rollout.version],
    );
    const [, affected]: [unknown, number] = await manager.query(
      `WITH old AS (
         UPDATE deliveries d
            SET state = 'superseded', reason = $3, next_push_at = NULL, updated_at = now()
           FROM rollouts r
          WHERE d.rollout_id = r.id AND r.policy_id = $1 AND r.version < $2
            AND d.state IN ('pending', 'pushed', 'acknowledged')
         RETURNING d.command_id
       )
       UPDATE mdm_commands c SET status = 'cancelled', completed_at = now()
         FROM old WHERE c.id = old.command_id AND c.status IN ('queued', 'sent')`,
      [rollout.policyId, rollout.version, `superseded by version ${rollout.version}`],
    );
    return affected;
  }

  private async createDeliveries(
    manager: EntityManager,
    rollout: RolloutEntity,
    groupSlugs: string[],
  ): Promise<number> {
    await manager.query(
      `WITH targets AS (
         SELECT d.id AS device_id, d.platform, (row_number() OVER (ORDER BY d.id) - 1) AS n
           FROM devices d
           JOIN device_groups g ON g.id = d.group_id AND g.tenant_id = d.tenant_id
          WHERE d.tenant_id = $1 AND g.slug = ANY($4::text[]) AND d.status = 'enrolled'
       ), inserted AS (
         INSERT INTO deliveries
           (id, tenant_id, rollout_id, device_id, policy_version_id, platform, state, reason, command_id, slice, next_push_at)
         SELECT uuid_time_ordered(), $1, $2, device_id, $3, platform, 'pending',
                CASE WHEN platform = 'android' THEN $6 END,
                CASE WHEN platform = 'ios' THEN uuid_time_ordered() END,
                (n / $5)::int,
                CASE WHEN platform = 'ios' THEN now() END
           FROM targets
         ON CONFLICT (device_id, policy_version_id) DO NOTHING
         RETURNING device_id, command_id
       )
       INSERT INTO mdm_commands (id, tenant_id, device_id, request_type, params, status, queued_at, queued_by)
       SELECT command_id, $1, device_id, 'InstallProfile', jsonb_build_object('policyVersionId', $3::text),
              'queued', now(), 'system:rollout'
         FROM inserted WHERE command_id IS NOT NULL`,
      [
        rollout.tenantId,
        rollout.id,
        rollout.policyVersionId,
        groupSlugs,
        this.config.ROLLOUT_SLICE_SIZE,
        ANDROID_WAITING_REASON,
      ],
    );
    const [{ count }]: Array<{ count: number }> = await manager.query(
      'SELECT count(*)::int AS count FROM deliveries WHERE rollout_id = $1',
      [rollout.id],
    );
    return count;
  }
}
