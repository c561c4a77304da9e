import { Module } from '@nestjs/common';
import { TenantCaService } from './tenant-ca.service.js';
import { SigningIdentitiesService, SigningIdentityRepository } from './signing-identities.service.js';

@Module({
  providers: [SigningIdentityRepository, SigningIdentitiesService, TenantCaService],
  exports: [SigningIdentitiesService, TenantCaService],
})
export class AppleModule {}
