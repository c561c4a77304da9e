import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { AuditService, type Actor } from '#libs/audit';
import { isUniqueViolation, TenantEntity } from '#libs/persistence';
import { ConflictDomainException, DomainException, NotFoundDomainException } from '#libs/platform';

export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

@Injectable()
export class TenantsService {
  constructor(
    @InjectRepository(TenantEntity) private readonly tenants: Repository<TenantEntity>,
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** Operator action (CLI): creates a tenant and opens its audit chain. */
  async create(slug: string, name: string, operatorLabel: string): Promise<TenantEntity> {
    if (!SLUG_PATTERN.test(slug)) {
      throw new DomainException(
        'INVALID_SLUG',
        `slug ${JSON.stringify(slug)} must be lower-case letters, digits and dashes`,
      );
    }
    if (!name.trim()) throw new DomainException('INVALID_NAME', 'name must not be empty');
    try {
      return await this.dataSource.transaction(async (manager) => {
        const tenant = await manager.save(manager.create(TenantEntity, { slug, name: name.trim() }));
        const actor: Actor = { tenantId: tenant.id, officerId: null, label: operatorLabel };
        await this.audit.record(manager, actor, {
          action: 'tenant.create',
          targetType: 'tenant',
          targetId: tenant.slug,
          after: { slug: tenant.slug, name: tenant.name },
        });
        return tenant;
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw new ConflictDomainException('TENANT_EXISTS', `tenant ${JSON.stringify(slug)} already exists`);
      throw error;
    }
  }

  async getBySlug(slug: string): Promise<TenantEntity> {
    const tenant = await this.tenants.findOne({ where: { slug } });
    if (!tenant) throw new NotFoundDomainException('tenant', slug);
    return tenant;
  }

  list(): Promise<TenantEntity[]> {
    return this.tenants.find({ order: { slug: 'ASC' } });
  }
}
