import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { unknownGroup } from '#libs/fleet';
import { NotFoundDomainException } from '#libs/platform';

/** Which devices a report covers: the tenant, one group, or the groups a policy targets. */
export interface ReportFilter {
  group?: string;
  policy?: string;
}

export interface ResolvedScope {
  group: string | null;
  policy: string | null;
  /** null: every group of the tenant. */
  groupIds: string[] | null;
}

/** Resolves `?group=&policy=` slugs within the tenant (another tenant's slug is a 404, like a missing one). */
@Injectable()
export class ReportScopeResolver {
  constructor(private readonly dataSource: DataSource) {}

  async resolve(tenantId: string, filter: ReportFilter): Promise<ResolvedScope> {
    let groupIds: string[] | null = null;
    if (filter.group !== undefined) {
      const rows: Array<{ id: string }> = await this.dataSource.query(
        'SELECT id FROM device_groups WHERE tenant_id = $1 AND slug = $2',
        [tenantId, filter.group],
      );
      if (rows.length === 0) throw unknownGroup('group', [filter.group]);
      groupIds = [rows[0].id];
    }
    if (filter.policy !== undefined) {
      const rows: Array<{ id: string; group_ids: string[] | null }> = await this.dataSource.query(
        `SELECT p.id, array_remove(array_agg(pg.group_id), NULL) AS group_ids
           FROM policies p LEFT JOIN policy_groups pg ON pg.policy_id = p.id
          WHERE p.tenant_id = $1 AND p.slug = $2 GROUP BY p.id`,
        [tenantId, filter.policy],
      );
      if (rows.length === 0) throw new NotFoundDomainException('policy', filter.policy);
      const policyGroups = rows[0].group_ids ?? [];
      groupIds = groupIds === null ? policyGroups : groupIds.filter((id) => policyGroups.includes(id));
    }
    return { group: filter.group ?? null, policy: filter.policy ?? null, groupIds };
  }
}
