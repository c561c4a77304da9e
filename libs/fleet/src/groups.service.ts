import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { AuditService, type Actor } from '#libs/audit';
import { DeviceGroupEntity, isUniqueViolation, TenantScopedRepository } from '#libs/persistence';
import { ConflictDomainException, DomainException, NotFoundDomainException } from '#libs/platform';

@Injectable()
export class DeviceGroupRepository extends TenantScopedRepository<DeviceGroupEntity> {
  constructor(@InjectRepository(DeviceGroupEntity) repository: Repository<DeviceGroupEntity>) {
    super(repository);
  }
}

/** Device groups: the unit a policy targets. Addressed by slug within a tenant. */
@Injectable()
export class GroupsService {
  constructor(
    private readonly groups: DeviceGroupRepository,
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async create(actor: Actor, slug: string, name: string): Promise<DeviceGroupEntity> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        const group = await this.groups.insert(actor.tenantId, { slug, name: name.trim() }, manager);
        await this.audit.record(manager, actor, {
          action: 'group.create',
          targetType: 'device_group',
          targetId: group.slug,
          after: { slug: group.slug, name: group.name },
        });
        return group;
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw new ConflictDomainException('GROUP_EXISTS', `group ${JSON.stringify(slug)} already exists`);
      throw error;
    }
  }

  list(tenantId: string): Promise<DeviceGroupEntity[]> {
    return this.groups.find(tenantId, {}, { order: { slug: 'ASC' } });
  }

  /** The group a path addresses (`/v1/groups/{slug}`): unknown is a 404. */
  async getBySlug(tenantId: string, slug: string): Promise<DeviceGroupEntity> {
    const group = await this.groups.findOne(tenantId, { slug });
    if (!group) throw new NotFoundDomainException('group', slug);
    return group;
  }

  /**
   * A group a body or query field names (`group`, `defaultGroup`, `rules[0].group`): unknown is the
   * caller's 400 naming the field, code UNKNOWN_GROUP, as for a policy's `groups`.
   */
  async getReferenced(tenantId: string, slug: string, field: string): Promise<DeviceGroupEntity> {
    const group = await this.groups.findOne(tenantId, { slug });
    if (!group) throw unknownGroup(field, [slug]);
    return group;
  }

  /**
   * Each group's enrolled (or enrolling) devices and the policies that target it, for the group
   * views; unenrolled devices are not counted.
   */
  async summaries(
    tenantId: string,
    groupIds: string[],
  ): Promise<Map<string, { devices: number; policies: string[] }>> {
    const rows: Array<{ id: string; devices: number; policies: string[] }> = await this.dataSource.query(
      `SELECT g.id,
              (SELECT count(*)::int FROM devices d
                WHERE d.tenant_id = g.tenant_id AND d.group_id = g.id AND d.status <> 'unenrolled') AS devices,
              ARRAY(SELECT p.slug FROM policy_groups pg JOIN policies p ON p.id = pg.policy_id
                     WHERE pg.group_id = g.id AND p.tenant_id = g.tenant_id ORDER BY p.slug) AS policies
         FROM device_groups g
        WHERE g.tenant_id = $1 AND g.id = ANY($2::uuid[])`,
      [tenantId, groupIds],
    );
    return new Map(rows.map((row) => [row.id, { devices: row.devices, policies: row.policies }]));
  }
}

/** The one refusal for a group that a body or query names and the tenant does not have. */
export function unknownGroup(field: string, slugs: string[]): DomainException {
  return new DomainException(
    'UNKNOWN_GROUP',
    `${field}: unknown group ${slugs.map((s) => JSON.stringify(s)).join(', ')}`,
    400,
  );
}
