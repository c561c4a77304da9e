import { describe, expect, it } from '@jest/globals';
import { MAX_REPUSH_SECONDS, repushDelaySeconds } from './repush-delay.js';

describe('repushDelaySeconds', () => {
  it('doubles after each push that left the phone silent', () => {
    expect([1, 2, 3, 4].map((n) => repushDelaySeconds(900, n))).toEqual([900, 1800, 3600, 7200]);
  });

  it('never waits more than a day, however many pushes went unanswered', () => {
    expect(repushDelaySeconds(900, 10)).toBe(MAX_REPUSH_SECONDS);
    expect(repushDelaySeconds(900, 10_000)).toBe(MAX_REPUSH_SECONDS);
  });

  it('treats a delivery never pushed like one pushed once', () => {
    expect(repushDelaySeconds(60, 0)).toBe(60);
  });
});
