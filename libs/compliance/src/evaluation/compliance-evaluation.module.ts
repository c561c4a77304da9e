import { Module } from '@nestjs/common';
import { ComplianceEvaluator } from './compliance-evaluator.service.js';
import { DeviceFactsLoader } from './device-facts.loader.js';
import { InventoryFactsRecorder } from './inventory-facts.recorder.js';

/**
 * What the phone-facing process needs: inventory facts recorded and devices evaluated in the
 * report's transaction. No queue, so the mdm process does not depend on Redis.
 */
@Module({
  providers: [ComplianceEvaluator, DeviceFactsLoader, InventoryFactsRecorder],
  exports: [ComplianceEvaluator, InventoryFactsRecorder],
})
export class ComplianceEvaluationModule {}
