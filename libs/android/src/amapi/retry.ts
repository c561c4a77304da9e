import { AmapiError, toAmapiError } from './amapi-error.js';

export interface RetryOptions {
  /** Tries in all, the first included. */
  attempts: number;
  /** First backoff; doubled at each retry (full jitter), capped at maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Injected by tests; setTimeout otherwise. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  onRetry?: (error: AmapiError, attempt: number, delayMs: number) => void;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 6, baseDelayMs: 500, maxDelayMs: 30_000 };

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `call` until it succeeds, fails with an error that is not worth retrying, or runs out of
 * attempts. AMAPI answers 429 under its per-minute quota and occasional 5xx; a Retry-After header
 * wins over our own backoff (capped at maxDelayMs) because the server knows when the quota refills.
 */
export async function withRetry<T>(
  call: () => Promise<T>,
  options: RetryOptions = DEFAULT_RETRY,
): Promise<T> {
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (thrown) {
      const error = toAmapiError(thrown);
      if (!error.retryable || attempt >= options.attempts) throw error;
      const backoff = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
      const delayMs =
        error.retryAfterSeconds !== undefined
          ? Math.min(options.maxDelayMs, error.retryAfterSeconds * 1000)
          : Math.round(backoff * random());
      options.onRetry?.(error, attempt, delayMs);
      await sleep(delayMs);
    }
  }
}
