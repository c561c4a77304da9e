export * from './rules/index.js';
export { ComplianceEvaluationModule } from './evaluation/compliance-evaluation.module.js';
export { ComplianceEvaluator } from './evaluation/compliance-evaluator.service.js';
export type { StatusChange } from './evaluation/compliance-evaluator.service.js';
export { InventoryFactsRecorder } from './evaluation/inventory-facts.recorder.js';
export type { InventoryDevice, InventoryKind } from './evaluation/inventory-facts.recorder.js';
export { ComplianceModule } from './compliance.module.js';
export { ComplianceReportsService } from './reports/compliance-reports.service.js';
export type {
  AppCount,
  ComplianceSummary,
  DeviceListQuery,
  StatusCounts,
  TrendDay,
} from './reports/compliance-reports.service.js';
export { ComplianceExportService, EXPORT_COLUMNS } from './reports/compliance-export.service.js';
export { ComplianceSnapshotsService } from './reports/compliance-snapshots.service.js';
export type { ReportFilter } from './reports/report-scope.js';
export { ComplianceSweepService } from './sweep/compliance-sweep.service.js';
export { InventoryRefreshService } from './sweep/inventory-refresh.service.js';
export type { RefreshedDevice } from './sweep/inventory-refresh.service.js';
export { WebhooksService } from './webhooks/webhooks.service.js';
export type { NewWebhook } from './webhooks/webhooks.service.js';
export { WebhookDispatcherService } from './webhooks/webhook-dispatcher.service.js';
export { WebhookSenderService, WebhookAttemptFailed } from './webhooks/webhook-sender.service.js';
export type { AttemptOutcome } from './webhooks/webhook-sender.service.js';
export {
  signWebhook,
  verifyWebhook,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  EVENT_HEADER,
  DELIVERY_HEADER,
} from './webhooks/webhook-signature.js';
