import { Module } from '@nestjs/common';
import { SigningIdentitiesService, SigningIdentityRepository } from './signing-identities.service.js';

@Module({
  providers: [SigningIdentityRepository, SigningIdentitiesService],
  exports: [SigningIdentitiesService],
})
export class AppleModule {}
