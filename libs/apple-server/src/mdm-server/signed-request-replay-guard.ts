import {
  Inject,
  Injectable,
  Logger,
  ServiceUnavailableException,
  type OnModuleDestroy,
} from '@nestjs/common';
import { Redis } from 'ioredis';
import { DEFAULT_MAX_SIGNATURE_AGE_SECONDS } from '#libs/apple';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { redisOptionsFromUrl } from '#libs/platform';

/**
 * A signature is accepted while its signing time is within 5 minutes of now, either way: it can be
 * presented over a 10-minute span, so it is remembered that long from the first time it is seen.
 */
export const SIGNED_REQUEST_MEMORY_SECONDS = 2 * DEFAULT_MAX_SIGNATURE_AGE_SECONDS;

/**
 * Remembers the signed requests seen recently, so that the same signed request (same certificate,
 * body and signing time) is accepted once, whichever mdm process receives it.
 *
 * In Redis, not PostgreSQL: one `SET NX EX` per check-in is atomic across processes, expires on its
 * own, and costs no disk commit (the Idle path deliberately avoids one per check-in). The memory is
 * short-lived by nature: losing it (Redis flushed) reopens the window for requests captured in the
 * last 10 minutes only, and signing times still bound a replay to 5 minutes. If Redis cannot answer,
 * the request is refused with 503 (the phone retries later) rather than accepted unchecked.
 */
@Injectable()
export class SignedRequestReplayGuard implements OnModuleDestroy {
  private readonly logger = new Logger(SignedRequestReplayGuard.name);
  private readonly redis: Redis;
  private readonly keyPrefix: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.keyPrefix = `${config.QUEUE_PREFIX}:mdm:signed-request:`;
    this.redis = new Redis({
      ...redisOptionsFromUrl(config.REDIS_URL),
      lazyConnect: true,
      connectTimeout: 2000,
      maxRetriesPerRequest: 1,
    });
    this.redis.on('error', () => undefined); // each failed request is logged below; no log storm
  }

  /** True the first time this signed request is seen within the window, false for a replay. */
  async firstSeen(signedRequestSha256: string): Promise<boolean> {
    try {
      const answer = await this.redis.set(
        `${this.keyPrefix}${signedRequestSha256}`,
        '1',
        'EX',
        SIGNED_REQUEST_MEMORY_SECONDS,
        'NX',
      );
      return answer === 'OK';
    } catch (error) {
      this.logger.warn({ err: error }, 'replay memory (Redis) unavailable: signed MDM request refused');
      throw new ServiceUnavailableException('the replay memory is unavailable; try again later');
    }
  }

  onModuleDestroy() {
    this.redis.disconnect();
  }
}
