import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { RolloutEntity, TenantScopedRepository } from '#libs/persistence';

@Injectable()
export class RolloutRepository extends TenantScopedRepository<RolloutEntity> {
  constructor(@InjectRepository(RolloutEntity) repository: Repository<RolloutEntity>) {
    super(repository);
  }
}
