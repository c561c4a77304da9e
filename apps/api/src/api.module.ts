import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AndroidServerModule } from '#libs/android-server';
import { AuditModule } from '#libs/audit';
import { AdeModule, AppleMdmModule, AppleModule } from '#libs/apple-server';
import { AuthGuard, AuthModule } from '#libs/auth';
import { CatalogModule } from '#libs/catalog';
import { ComplianceModule } from '#libs/compliance';
import { type AppConfig, ConfigModule } from '#libs/config';
import { FleetModule } from '#libs/fleet';
import { JobsModule } from '#libs/jobs';
import { PersistenceModule } from '#libs/persistence';
import { PlatformModule } from '#libs/platform';
import { PolicyModule } from '#libs/policy';
import { AndroidController } from './android/android.controller.js';
import { RolloutsModule } from '#libs/rollouts';
import { AppListsController } from './app-lists/app-lists.controller.js';
import { AdeController } from './apple/ade.controller.js';
import { AppleController } from './apple/apple.controller.js';
import { AuditEventsController } from './audit/audit-events.controller.js';
import { CatalogController } from './catalog/catalog.controller.js';
import { ComplianceController } from './compliance/compliance.controller.js';
import { ConsoleAuthController } from './console-auth/console-auth.controller.js';
import { ConsoleSessionsController } from './console-sessions/console-sessions.controller.js';
import { OidcClientService } from './console-auth/oidc-client.service.js';
import { DevicesController } from './devices/devices.controller.js';
import { EnrollmentsController } from './enrollments/enrollments.controller.js';
import { GroupsController } from './groups/groups.controller.js';
import { JobsController } from './jobs/jobs.controller.js';
import { OfficersController } from './officers/officers.controller.js';
import { PoliciesController } from './policies/policies.controller.js';
import { RolloutsController } from './rollouts/rollouts.controller.js';
import { WebhooksController } from './webhooks/webhooks.controller.js';

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
        CatalogModule,
        AppleModule,
        AppleMdmModule,
        AdeModule,
        JobsModule,
        PolicyModule,
        AndroidServerModule,
        JobsModule,
        RolloutsModule,
        ComplianceModule,
      ],
      controllers: [
        OfficersController,
        ConsoleSessionsController,
        GroupsController,
        AuditEventsController,
        CatalogController,
        AppListsController,
        PoliciesController,
        AppleController,
        AdeController,
        EnrollmentsController,
        DevicesController,
        AndroidController,
        RolloutsController,
        JobsController,
        ComplianceController,
        WebhooksController,
        ConsoleAuthController,
      ],
      providers: [{ provide: APP_GUARD, useClass: AuthGuard }, OidcClientService],
    };
  }
}
