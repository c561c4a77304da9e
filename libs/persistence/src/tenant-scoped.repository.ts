import type { EntityManager, FindManyOptions, FindOptionsWhere, ObjectLiteral, Repository } from 'typeorm';

/** An entity that belongs to one tenant. */
export interface TenantOwned extends ObjectLiteral {
  tenantId: string;
}

/**
 * The only way services reach tenant data: every method takes the tenant id and adds it to the
 * query, so forgetting the tenant is a type error rather than a data leak.
 */
export class TenantScopedRepository<T extends TenantOwned> {
  constructor(protected readonly repository: Repository<T>) {}

  protected scoped(tenantId: string, where: FindOptionsWhere<T> = {}): FindOptionsWhere<T> {
    if (!tenantId) throw new Error('tenant id is required');
    return { ...where, tenantId } as FindOptionsWhere<T>;
  }

  protected repo(manager?: EntityManager): Repository<T> {
    return manager ? manager.getRepository<T>(this.repository.target) : this.repository;
  }

  findOne(tenantId: string, where: FindOptionsWhere<T>, manager?: EntityManager): Promise<T | null> {
    return this.repo(manager).findOne({ where: this.scoped(tenantId, where) });
  }

  find(
    tenantId: string,
    where: FindOptionsWhere<T> = {},
    options: Omit<FindManyOptions<T>, 'where'> = {},
    manager?: EntityManager,
  ): Promise<T[]> {
    return this.repo(manager).find({ ...options, where: this.scoped(tenantId, where) });
  }

  count(tenantId: string, where: FindOptionsWhere<T> = {}): Promise<number> {
    return this.repository.count({ where: this.scoped(tenantId, where) });
  }

  /** Inserts a new row owned by the tenant; the tenant id in `values` cannot be overridden. */
  async insert(tenantId: string, values: Omit<Partial<T>, 'tenantId'>, manager?: EntityManager): Promise<T> {
    const repo = this.repo(manager);
    const entity = repo.create({ ...values, tenantId } as unknown as T);
    return repo.save(entity);
  }

  /** Inserts many rows of the tenant in one statement. */
  async insertMany(
    tenantId: string,
    values: Array<Omit<Partial<T>, 'tenantId'>>,
    manager?: EntityManager,
  ): Promise<T[]> {
    if (values.length === 0) return [];
    const repo = this.repo(manager);
    const entities = values.map((v) => repo.create({ ...v, tenantId } as unknown as T));
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    await repo.insert(entities as any);
    return entities;
  }

  async update(
    tenantId: string,
    where: FindOptionsWhere<T>,
    values: Omit<Partial<T>, 'tenantId' | 'id'>,
    manager?: EntityManager,
  ): Promise<number> {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const result = await this.repo(manager).update(this.scoped(tenantId, where), values as any);
    return result.affected ?? 0;
  }
}
