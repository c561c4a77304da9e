import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AdeAccountEntity, TenantScopedRepository } from '#libs/persistence';

export const sha256Hex = (value: string) => createHash('sha256').update(value).digest('hex');

@Injectable()
export class AdeAccountRepository extends TenantScopedRepository<AdeAccountEntity> {
  constructor(@InjectRepository(AdeAccountEntity) repository: Repository<AdeAccountEntity>) {
    super(repository);
  }

  /** Phones present only the ADE URL token: it names the account (and so the tenant). */
  findByEnrollTokenHash(hash: string): Promise<AdeAccountEntity | null> {
    return this.repository.findOne({ where: { enrollTokenHash: hash } });
  }

  /** Every account with a token, for the scheduled sync. */
  withToken(): Promise<AdeAccountEntity[]> {
    return this.repository.createQueryBuilder('a').where('a.encrypted_credentials IS NOT NULL').getMany();
  }
}
