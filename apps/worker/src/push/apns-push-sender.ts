import type { Provider } from '@nestjs/common';
import { ApnsClientPool } from '#libs/apple';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { PUSH_SENDER, type PushSender } from './push-sender.js';

/** The push port bound to the APNs HTTP/2 client pool: one connection per push certificate. */
export class ApnsPushSender implements PushSender {
  constructor(private readonly pool: ApnsClientPool) {}

  channel: PushSender['channel'] = (owner, credentials) => this.pool.clientFor(credentials, owner);

  close(): Promise<void> {
    return this.pool.close();
  }
}

export const apnsPushSenderProvider: Provider = {
  provide: PUSH_SENDER,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig): PushSender =>
    new ApnsPushSender(
      new ApnsClientPool({
        url: config.APNS_URL,
        // Tests, the demo and the benchmark point APNS_URL at a local fake with its own CA.
        ca: config.apnsCaPem,
      }),
    ),
};
