import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  GROUP_POLICY_UPDATE_MASK,
  groupPolicyName,
  mergeAndroidPolicies,
  serializeAndroidPolicy,
  type AndroidPolicy,
} from '#libs/android';
import { AndroidGroupPolicyEntity, DeviceGroupEntity, TenantEntity } from '#libs/persistence';
import { NotFoundDomainException } from '#libs/platform';
import { callAmapi } from './amapi-failure.js';
import { AndroidEnterpriseService } from './android-enterprise.service.js';

/**
 * One AMAPI policy per device group. Its content is the merge of the latest effective published
 * version of every Rempart policy that targets the group; it is patched only when that content
 * changes, so running this twice (a retried job, a second enrollment) costs one read.
 */
@Injectable()
export class AndroidGroupPoliciesService {
  private readonly logger = new Logger(AndroidGroupPoliciesService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly enterprises: AndroidEnterpriseService,
  ) {}

  /** The compiled Android policies of the latest effective version of each policy targeting the group. */
  async desiredPolicy(tenantId: string, groupSlug: string, at = new Date()): Promise<AndroidPolicy> {
    const rows: Array<{ android_policy: Buffer }> = await this.dataSource.query(
      `SELECT android_policy FROM (
         SELECT DISTINCT ON (policy_id) android_policy, group_slugs
           FROM policy_versions
          WHERE tenant_id = $1 AND effective_at <= $2
          ORDER BY policy_id, version DESC) latest
        WHERE $3 = ANY(group_slugs)`,
      [tenantId, at, groupSlug],
    );
    return mergeAndroidPolicies(
      rows.map((row) => JSON.parse(row.android_policy.toString('utf8')) as AndroidPolicy),
    );
  }

  /** Brings the group's AMAPI policy up to date; returns what AMAPI now holds (name and version). */
  async syncGroupPolicy(
    tenantId: string,
    groupId: string,
    at = new Date(),
  ): Promise<AndroidGroupPolicyEntity> {
    const { enterprise, client } = await this.enterprises.forTenant(tenantId);
    return this.dataSource.transaction(async (manager) => {
      // One patch at a time per group, so the stored version is the one AMAPI holds.
      await manager.query(
        `SELECT pg_advisory_xact_lock(hashtextextended('android-group-policy:' || $1, 0))`,
        [groupId],
      );
      const group = await manager
        .getRepository(DeviceGroupEntity)
        .findOne({ where: { id: groupId, tenantId } });
      if (!group) throw new NotFoundDomainException('group', groupId);
      const tenant = await manager.getRepository(TenantEntity).findOneByOrFail({ id: tenantId });
      const name = groupPolicyName(enterprise.enterpriseName, tenant.slug, group.slug);
      const desired = await this.desiredPolicy(tenantId, group.slug, at);
      const contentSha256 = createHash('sha256').update(serializeAndroidPolicy(desired)).digest('hex');
      const repo = manager.getRepository(AndroidGroupPolicyEntity);
      const current = await repo.findOne({ where: { groupId } });
      if (current && current.policyName === name && current.contentSha256 === contentSha256) return current;
      const patched = await callAmapi(`policy ${name}`, () =>
        client.patchPolicy(name, { ...desired }, GROUP_POLICY_UPDATE_MASK),
      );
      const row: AndroidGroupPolicyEntity = {
        groupId,
        tenantId,
        policyName: name,
        amapiVersion: String(patched.version ?? '0'),
        contentSha256,
        patchedAt: new Date(),
      };
      await repo.save(row);
      this.logger.log(
        { tenantId, group: group.slug, policy: name, version: row.amapiVersion },
        'Android group policy patched',
      );
      return row;
    });
  }
}
