import { describe, expect, it } from '@jest/globals';
import { AmapiError } from './amapi-error.js';
import { withRetry } from './retry.js';

const failing = (...errors: AmapiError[]) => {
  let calls = 0;
  const call = async () => {
    const error = errors[calls++];
    if (error) throw error;
    return 'ok';
  };
  return { call, calls: () => calls };
};

describe('withRetry', () => {
  const sleeps: number[] = [];
  const options = {
    attempts: 4,
    baseDelayMs: 100,
    maxDelayMs: 1000,
    random: () => 1,
    sleep: async (ms: number) => void sleeps.push(ms),
  };

  it('retries 429, 5xx and network failures with doubling backoff', async () => {
    sleeps.length = 0;
    const f = failing(
      new AmapiError(429, 'RESOURCE_EXHAUSTED', 'q'),
      new AmapiError(502, 'x', 'x'),
      new AmapiError(0, 'ECONNRESET', 'r'),
    );
    await expect(withRetry(f.call, options)).resolves.toBe('ok');
    expect(f.calls()).toBe(4);
    expect(sleeps).toEqual([100, 200, 400]);
  });

  it('waits what Retry-After says (capped) rather than its own backoff', async () => {
    sleeps.length = 0;
    const f = failing(
      new AmapiError(429, 'RESOURCE_EXHAUSTED', 'q', 0.25),
      new AmapiError(429, 'RESOURCE_EXHAUSTED', 'q', 60),
    );
    await withRetry(f.call, options);
    expect(sleeps).toEqual([250, 1000]);
  });

  it('does not retry a 400 or a 404, and stops after the last attempt', async () => {
    const bad = failing(new AmapiError(400, 'INVALID_ARGUMENT', 'no'));
    await expect(withRetry(bad.call, options)).rejects.toMatchObject({ status: 400 });
    expect(bad.calls()).toBe(1);
    const down = failing(...Array.from({ length: 5 }, () => new AmapiError(503, 'UNAVAILABLE', 'down')));
    await expect(withRetry(down.call, options)).rejects.toMatchObject({ status: 503 });
    expect(down.calls()).toBe(4);
  });
});
