import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { AndroidServerModule } from '#libs/android-server';
import { AdeModule, AppleMdmModule } from '#libs/apple-server';
import { AuditModule } from '#libs/audit';
import { AuthModule } from '#libs/auth';
import { CatalogModule } from '#libs/catalog';
import { ComplianceModule } from '#libs/compliance';
import { type AppConfig, ConfigModule } from '#libs/config';
import { JobsModule } from '#libs/jobs';
import { PersistenceModule } from '#libs/persistence';
import { RolloutsModule } from '#libs/rollouts';
import { ComplianceProcessor } from './compliance/compliance.processor.js';
import { WebhooksProcessor } from './compliance/webhooks.processor.js';
import { AdeProcessor } from './ade.processor.js';
import { AndroidProcessor } from './android.processor.js';
import { MaintenanceProcessor } from './maintenance.processor.js';
import { MetricsServer } from './metrics/metrics-server.js';
import { WorkerMetricsService } from './metrics/worker-metrics.service.js';
import { ApplePushesProcessor } from './push/apple-pushes.processor.js';
import { apnsPushSenderProvider } from './push/apns-push-sender.js';
import { PushLegService } from './push/push-leg.service.js';
import { RolloutsProcessor } from './rollouts/rollouts.processor.js';
import { SchedulesService } from './schedules.service.js';

export interface WorkerModuleOptions {
  /** Replaces the APNs client pool (tests of the push leg). */
  pushSender?: Provider;
}

/** Queue consumers. An application context: no HTTP server but the metrics listener. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig, options: WorkerModuleOptions = {}): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        PersistenceModule,
        JobsModule,
        AuditModule,
        AuthModule,
        AppleMdmModule,
        RolloutsModule,
        CatalogModule,
        ComplianceModule,
        AndroidServerModule,
        AdeModule,
      ],
      providers: [
        MaintenanceProcessor,
        SchedulesService,
        AndroidProcessor,
        RolloutsProcessor,
        ApplePushesProcessor,
        PushLegService,
        ComplianceProcessor,
        WebhooksProcessor,
        AdeProcessor,
        WorkerMetricsService,
        MetricsServer,
        options.pushSender ?? apnsPushSenderProvider,
      ],
    };
  }
}
