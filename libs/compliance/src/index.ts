export * from './rules/index.js';
export { ComplianceEvaluationModule } from './evaluation/compliance-evaluation.module.js';
export { ComplianceEvaluator } from './evaluation/compliance-evaluator.service.js';
export type { StatusChange } from './evaluation/compliance-evaluator.service.js';
export { InventoryFactsRecorder } from './evaluation/inventory-facts.recorder.js';
export type { InventoryDevice, InventoryKind } from './evaluation/inventory-facts.recorder.js';
