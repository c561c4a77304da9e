import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AndroidEnterpriseEntity, AndroidPolicyPublicationEntity, RolloutEntity } from '#libs/persistence';
import { AndroidGroupPoliciesService } from './group-policies.service.js';

export type LegResult =
  | { published: true; groups: number; deliveries: number; verified: number }
  | { published: false; reason: 'not-found' | 'not-running' | 'no-enterprise' };

/**
 * The Android leg of a rollout. The fan-out (libs/rollouts) creates one pending delivery per
 * Android phone; this patches each targeted group's AMAPI policy once for the version (never per
 * phone), records which AMAPI version carries it, and marks the deliveries pushed. A delivery
 * becomes verified when its phone reports an appliedPolicyVersion at or above that version
 * (verifyReported, called with every batch of device reports). Running it twice changes nothing.
 */
@Injectable()
export class AndroidRolloutLegService {
  private readonly logger = new Logger(AndroidRolloutLegService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly groupPolicies: AndroidGroupPoliciesService,
  ) {}

  async publish(rolloutId: string): Promise<LegResult> {
    const rollout = await this.dataSource.getRepository(RolloutEntity).findOne({ where: { id: rolloutId } });
    if (!rollout) return { published: false, reason: 'not-found' };
    // Paused rollouts wait; cancelled and superseded ones never reach the phones.
    if (rollout.state !== 'running') return { published: false, reason: 'not-running' };
    const enterprise = await this.dataSource
      .getRepository(AndroidEnterpriseEntity)
      .exists({ where: { tenantId: rollout.tenantId } });
    // Without an enterprise the deliveries keep waiting ("Android channel not configured").
    if (!enterprise) return { published: false, reason: 'no-enterprise' };
    const groups: Array<{ id: string }> = await this.dataSource.query(
      `SELECT g.id FROM device_groups g JOIN policy_versions v ON g.slug = ANY(v.group_slugs) AND g.tenant_id = v.tenant_id
        WHERE v.id = $1 ORDER BY g.slug`,
      [rollout.policyVersionId],
    );
    let deliveries = 0;
    for (const group of groups) {
      const policy = await this.groupPolicies.syncGroupPolicy(rollout.tenantId, group.id, rollout.startsAt);
      deliveries += await this.dataSource.transaction(async (manager) => {
        await manager
          .createQueryBuilder()
          .insert()
          .into(AndroidPolicyPublicationEntity)
          .values({
            rolloutId,
            groupId: group.id,
            tenantId: rollout.tenantId,
            policyName: policy.policyName,
            amapiVersion: policy.amapiVersion,
            publishedAt: new Date(),
          })
          .orIgnore()
          .execute();
        const [, marked]: [unknown, number] = await manager.query(
          `UPDATE deliveries dl SET state = 'pushed', reason = NULL, push_count = push_count + 1,
                  last_pushed_at = now(), next_push_at = NULL, updated_at = now()
             FROM devices d
            WHERE dl.rollout_id = $1 AND dl.platform = 'android' AND dl.state = 'pending'
              AND d.id = dl.device_id AND d.group_id = $2`,
          [rolloutId, group.id],
        );
        return marked;
      });
    }
    // Phones that already run the version (they synced before this leg ran) are verified now.
    const verified = await this.dataSource.transaction((manager) => this.verify(manager, { rolloutId }));
    this.logger.log({ rolloutId, groups: groups.length, deliveries, verified }, 'Android leg published');
    return { published: true, groups: groups.length, deliveries, verified };
  }

  /** Verifies the open Android deliveries of these devices whose reported policy version carries them. */
  verifyReported(manager: EntityManager, deviceIds: string[]): Promise<number> {
    if (deviceIds.length === 0) return Promise.resolve(0);
    return this.verify(manager, { deviceIds });
  }

  private async verify(
    manager: EntityManager,
    scope: { rolloutId?: string; deviceIds?: string[] },
  ): Promise<number> {
    const [, verified]: [unknown, number] = await manager.query(
      `UPDATE deliveries dl SET state = 'verified', reason = NULL, next_push_at = NULL,
              acknowledged_at = COALESCE(dl.acknowledged_at, now()), verified_at = now(), updated_at = now()
         FROM devices d, android_policy_publications p
        WHERE dl.platform = 'android' AND dl.state IN ('pending', 'pushed', 'acknowledged')
          AND d.id = dl.device_id AND p.rollout_id = dl.rollout_id AND p.group_id = d.group_id
          AND d.applied_policy_version >= p.amapi_version
          AND ($1::uuid IS NULL OR dl.rollout_id = $1)
          AND ($2::uuid[] IS NULL OR dl.device_id = ANY($2::uuid[]))`,
      [scope.rolloutId ?? null, scope.deviceIds ?? null],
    );
    return verified;
  }

  /** Rollouts whose Android deliveries still wait for the leg (a lost job, an enterprise bound later). */
  async publishPending(): Promise<number> {
    const rows: Array<{ rollout_id: string }> = await this.dataSource.query(
      `SELECT DISTINCT dl.rollout_id FROM deliveries dl
         JOIN rollouts r ON r.id = dl.rollout_id AND r.state = 'running'
         JOIN android_enterprises e ON e.tenant_id = dl.tenant_id
        WHERE dl.platform = 'android' AND dl.state = 'pending'`,
    );
    for (const row of rows) await this.publish(row.rollout_id);
    return rows.length;
  }
}
