import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { DomainException } from './domain.exception.js';

/** 429 with the seconds until the address may try again (sent as Retry-After). */
export class TooManyAuthFailures extends DomainException {
  constructor(readonly retryAfterSeconds: number) {
    super(
      'TOO_MANY_FAILED_AUTHENTICATIONS',
      `too many failed authentications from this address; retry in ${retryAfterSeconds} s`,
      429,
    );
  }
}

/** The address a request comes from: the TCP peer, or what TRUST_PROXY's proxies say it is. */
export const clientAddress = (req: Request): string => req.ip ?? req.socket.remoteAddress ?? 'unknown';

/**
 * Counts failed authentications per client address (bad or unknown bearer tokens, unknown enrollment
 * tokens) and refuses that address with a 429 once AUTH_FAILURE_LIMIT failures fall within
 * AUTH_FAILURE_WINDOW_SECONDS, until the window has passed. Successful requests cost nothing, so a
 * busy office behind one address is never throttled for working; a token guesser is. Counters are
 * per process (rate-limiter-flexible's memory store): N api processes allow N times the limit.
 */
@Injectable()
export class AuthFailureLimiter {
  private readonly limiter: RateLimiterMemory | undefined;
  private readonly limit: number;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.limit = config.AUTH_FAILURE_LIMIT;
    this.limiter =
      this.limit > 0
        ? new RateLimiterMemory({ points: this.limit, duration: config.AUTH_FAILURE_WINDOW_SECONDS })
        : undefined;
  }

  /** Throws TooManyAuthFailures when the address has used up its failures. */
  async assertAllowed(address: string): Promise<void> {
    const state = await this.limiter?.get(address);
    if (state && state.consumedPoints >= this.limit) {
      throw new TooManyAuthFailures(Math.max(1, Math.ceil(state.msBeforeNext / 1000)));
    }
  }

  async recordFailure(address: string): Promise<void> {
    await this.limiter?.penalty(address, 1);
  }
}
