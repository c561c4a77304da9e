import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuditModule } from '#libs/audit';
import { AuthGuard, AuthModule } from '#libs/auth';
import { type AppConfig, ConfigModule } from '#libs/config';
import { FleetModule } from '#libs/fleet';
import { PersistenceModule } from '#libs/persistence';
import { PlatformModule } from '#libs/platform';
import { AuditEventsController } from './audit/audit-events.controller.js';
import { GroupsController } from './groups/groups.controller.js';
import { OfficersController } from './officers/officers.controller.js';

/** The officers' REST API (`/v1`), its OpenAPI document at /docs, health and metrics. */
@Module({})
export class ApiModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        PersistenceModule,
        PlatformModule,
        AuditModule,
        AuthModule,
        FleetModule,
      ],
      controllers: [OfficersController, GroupsController, AuditEventsController],
      providers: [{ provide: APP_GUARD, useClass: AuthGuard }],
    };
  }
}
