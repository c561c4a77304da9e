import { type DynamicModule, Module } from '@nestjs/common';
import { AdeModule, AppleMdmModule } from '#libs/apple-server';
import { AuditModule } from '#libs/audit';
import { AuthModule } from '#libs/auth';
import { type AppConfig, ConfigModule } from '#libs/config';
import { JobsModule } from '#libs/jobs';
import { PersistenceModule } from '#libs/persistence';
import { AdeProcessor } from './ade.processor.js';
import { MaintenanceProcessor } from './maintenance.processor.js';
import { SchedulesService } from './schedules.service.js';

/** Queue consumers. An application context: no HTTP server. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        PersistenceModule,
        JobsModule,
        AuditModule,
        AuthModule,
        AppleMdmModule,
        AdeModule,
      ],
      providers: [MaintenanceProcessor, AdeProcessor, SchedulesService],
    };
  }
}
