import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, Repository } from 'typeorm';
import {
  ApiTokenEntity,
  ConsoleSessionEntity,
  OfficerEntity,
  TenantScopedRepository,
} from '#libs/persistence';

@Injectable()
export class OfficerRepository extends TenantScopedRepository<OfficerEntity> {
  constructor(@InjectRepository(OfficerEntity) repository: Repository<OfficerEntity>) {
    super(repository);
  }
}

@Injectable()
export class ApiTokenRepository extends TenantScopedRepository<ApiTokenEntity> {
  constructor(@InjectRepository(ApiTokenEntity) repository: Repository<ApiTokenEntity>) {
    super(repository);
  }

  /** Authentication is the one lookup that starts without a tenant: the token's hash names it. */
  findBySecretHashForAuthentication(secretHash: string): Promise<ApiTokenEntity | null> {
    return this.repository.findOne({ where: { secretHash }, relations: { officer: true, tenant: true } });
  }

  touchLastUsed(tokenId: string, at: Date): Promise<unknown> {
    return this.repository.update({ id: tokenId }, { lastUsedAt: at });
  }
}

/** Console sessions as the tenant's admins see them; sign-in and the guard use ConsoleSessionsService. */
@Injectable()
export class ConsoleSessionRepository extends TenantScopedRepository<ConsoleSessionEntity> {
  constructor(@InjectRepository(ConsoleSessionEntity) repository: Repository<ConsoleSessionEntity>) {
    super(repository);
  }

  /** Deletes the tenant's session with this internal id; the number of rows deleted (0 or 1). */
  async deleteOne(tenantId: string, id: string, manager?: EntityManager): Promise<number> {
    const result = await this.repo(manager).delete(this.scoped(tenantId, { id }));
    return result.affected ?? 0;
  }
}
