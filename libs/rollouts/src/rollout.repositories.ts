import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { DeliveryEntity, RolloutEntity, TenantScopedRepository } from '#libs/persistence';

@Injectable()
export class RolloutRepository extends TenantScopedRepository<RolloutEntity> {
  constructor(@InjectRepository(RolloutEntity) repository: Repository<RolloutEntity>) {
    super(repository);
  }
}

@Injectable()
export class DeliveryRepository extends TenantScopedRepository<DeliveryEntity> {
  constructor(@InjectRepository(DeliveryEntity) repository: Repository<DeliveryEntity>) {
    super(repository);
  }
}
