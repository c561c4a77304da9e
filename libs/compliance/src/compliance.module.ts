import { Module } from '@nestjs/common';
import { ComplianceEvaluationModule } from './evaluation/compliance-evaluation.module.js';
import { ComplianceExportService } from './reports/compliance-export.service.js';
import { ComplianceReportsService } from './reports/compliance-reports.service.js';
import { ComplianceSnapshotsService } from './reports/compliance-snapshots.service.js';
import { ReportScopeResolver } from './reports/report-scope.js';
import { ComplianceSweepService } from './sweep/compliance-sweep.service.js';
import { InventoryRefreshService } from './sweep/inventory-refresh.service.js';
import { WebhookDispatcherService } from './webhooks/webhook-dispatcher.service.js';
import { WebhookSenderService } from './webhooks/webhook-sender.service.js';
import {
  WebhookDeliveryRepository,
  WebhookRepository,
  WebhooksService,
} from './webhooks/webhooks.service.js';

const SERVICES = [
  ComplianceReportsService,
  ComplianceExportService,
  ComplianceSnapshotsService,
  ComplianceSweepService,
  InventoryRefreshService,
  WebhooksService,
  WebhookDispatcherService,
  WebhookSenderService,
];

/**
 * Compliance for the api and the worker: evaluation, reports, snapshots, sweep and inventory
 * refresh, webhooks. Needs PersistenceModule, CatalogModule, JobsModule and AuditModule in the
 * application.
 */
@Module({
  imports: [ComplianceEvaluationModule],
  providers: [ReportScopeResolver, WebhookRepository, WebhookDeliveryRepository, ...SERVICES],
  exports: [ComplianceEvaluationModule, ...SERVICES],
})
export class ComplianceModule {}
