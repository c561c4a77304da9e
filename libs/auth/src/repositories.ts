import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ApiTokenEntity, OfficerEntity, TenantScopedRepository } from '#libs/persistence';

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
