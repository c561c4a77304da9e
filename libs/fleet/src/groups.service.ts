import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { AuditService, type Actor } from '#libs/audit';
import { DeviceGroupEntity, isUniqueViolation, TenantScopedRepository } from '#libs/persistence';
import { ConflictDomainException, NotFoundDomainException } from '#libs/platform';

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

  async getBySlug(tenantId: string, slug: string): Promise<DeviceGroupEntity> {
    const group = await this.groups.findOne(tenantId, { slug });
    if (!group) throw new NotFoundDomainException('group', slug);
    return group;
  }
}
