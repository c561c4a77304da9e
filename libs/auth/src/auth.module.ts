import { Module } from '@nestjs/common';
import { ConsoleSessionsService } from './console-sessions.service.js';
import { ConsoleSignInService } from './console-sign-in.service.js';
import { OfficersService } from './officers.service.js';
import { ApiTokenRepository, ConsoleSessionRepository, OfficerRepository } from './repositories.js';
import { TenantsService } from './tenants.service.js';
import { TokenAuthenticator } from './token-authenticator.js';

@Module({
  providers: [
    OfficerRepository,
    ApiTokenRepository,
    ConsoleSessionRepository,
    OfficersService,
    TenantsService,
    TokenAuthenticator,
    ConsoleSessionsService,
    ConsoleSignInService,
  ],
  exports: [
    OfficersService,
    TenantsService,
    TokenAuthenticator,
    ConsoleSessionsService,
    ConsoleSignInService,
  ],
})
export class AuthModule {}
