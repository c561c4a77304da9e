export { evaluateCompliance } from './evaluate-compliance.js';
export type { EvaluationOptions } from './evaluate-compliance.js';
export { COMPLIANCE_STATUS_ORDER } from './compliance-facts.js';
export type {
  ApplicablePolicy,
  DeliveryFact,
  DeviceFacts,
  InventoryFacts,
  Reason,
  ReasonCode,
  Status,
  Verdict,
  Warning,
} from './compliance-facts.js';
