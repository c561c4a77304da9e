import { describe, expect, it } from '@jest/globals';
import { InventoryRefreshService } from './inventory-refresh.service.js';

describe('InventoryRefreshService.batchSize', () => {
  it('spreads the fleet over the window: one full round per window, never all at once', () => {
    // 1,000,000 iPhones, a sweep every 5 minutes, a 24-hour window: 288 sweeps of 3,473.
    expect(InventoryRefreshService.batchSize(1_000_000, 300, 86_400)).toBe(3473);
    expect(InventoryRefreshService.batchSize(1_000_000, 300, 86_400) * 288).toBeGreaterThanOrEqual(1_000_000);
  });

  it('asks at least one phone per sweep, and none of an empty fleet', () => {
    expect(InventoryRefreshService.batchSize(3, 300, 86_400)).toBe(1);
    expect(InventoryRefreshService.batchSize(0, 300, 86_400)).toBe(0);
  });
});
