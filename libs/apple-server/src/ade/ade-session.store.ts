import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { AdeSessionStore } from '#libs/apple';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { redisOptionsFromUrl } from '#libs/platform';

/**
 * Apple's session lifetime is not published; a stored session older than this is dropped rather
 * than tried (a 401 would renew it anyway, at the cost of one round trip).
 */
const SESSION_TTL_SECONDS = 60 * 60;

/** Deletes the key only if it still holds the token the caller saw fail. */
const COMPARE_AND_DELETE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * Device Assignment API sessions in Redis: one per ABM server token, shared by every worker, so
 * that workers do not each open their own (Apple may not support parallel sessions). A session is
 * a cache, not state: losing Redis only costs a new `GET /session`.
 */
@Injectable()
export class AdeSessionStores implements OnModuleDestroy {
  private redis: Redis | undefined;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  forAccount(accountId: string): AdeSessionStore {
    const key = `${this.config.QUEUE_PREFIX}:ade-session:${accountId}`;
    const redis = () =>
      (this.redis ??= new Redis({ ...redisOptionsFromUrl(this.config.REDIS_URL), lazyConnect: true }));
    return {
      get: () => redis().get(key),
      set: async (token) => {
        await redis().set(key, token, 'EX', SESSION_TTL_SECONDS);
      },
      invalidate: async (token) => {
        await redis().eval(COMPARE_AND_DELETE, 1, key, token);
      },
    };
  }

  async onModuleDestroy() {
    await this.redis?.quit().catch(() => undefined);
  }
}
