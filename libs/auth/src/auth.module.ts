import { Module } from '@nestjs/common';
import { OfficersService } from './officers.service.js';
import { ApiTokenRepository, OfficerRepository } from './repositories.js';
import { TenantsService } from './tenants.service.js';
import { TokenAuthenticator } from './token-authenticator.js';

@Module({
  providers: [OfficerRepository, ApiTokenRepository, OfficersService, TenantsService, TokenAuthenticator],
  exports: [OfficersService, TenantsService, TokenAuthenticator],
})
export class AuthModule {}
