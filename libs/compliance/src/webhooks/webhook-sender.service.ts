import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { WebhookDeliveryEntity, WebhookEntity } from '#libs/persistence';
import {
  DELIVERY_HEADER,
  EVENT_HEADER,
  SIGNATURE_HEADER,
  signWebhook,
  TIMESTAMP_HEADER,
} from './webhook-signature.js';
import { WebhooksService } from './webhooks.service.js';

/** Thrown when an attempt failed and BullMQ should retry it (with backoff). */
export class WebhookAttemptFailed extends Error {
  override readonly name = 'WebhookAttemptFailed';
}

export type AttemptOutcome = 'delivered' | 'skipped' | 'failed';

/** How much of a receiver's error answer the delivery log keeps. */
const ERROR_EXCERPT = 300;

/**
 * One delivery attempt: POST the stored body, signed anew with the current time; every attempt is
 * written to the delivery log. 2xx delivers; anything else (status, timeout, refused connection)
 * throws for a retry, and the last attempt marks the delivery failed.
 */
@Injectable()
export class WebhookSenderService {
  private readonly logger = new Logger(WebhookSenderService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly webhooks: WebhooksService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async attempt(deliveryId: string, lastAttempt: boolean): Promise<AttemptOutcome> {
    const delivery = await this.dataSource
      .getRepository(WebhookDeliveryEntity)
      .findOne({ where: { id: deliveryId } });
    if (!delivery || delivery.state !== 'pending') return 'skipped';
    const webhook = await this.dataSource
      .getRepository(WebhookEntity)
      .findOne({ where: { id: delivery.webhookId } });
    if (!webhook || webhook.deletedAt) return 'skipped';

    const timestamp = Math.floor(Date.now() / 1000);
    let status: number | null = null;
    let error: string | null = null;
    try {
      const response = await fetch(webhook.url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(this.config.WEBHOOK_TIMEOUT_MS),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Rempart-Webhooks/1',
          [EVENT_HEADER]: delivery.event,
          [DELIVERY_HEADER]: delivery.id,
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signWebhook(this.webhooks.secretOf(webhook), timestamp, delivery.body),
        },
        body: delivery.body,
      });
      status = response.status;
      if (!response.ok) error = `HTTP ${status}: ${(await response.text()).slice(0, ERROR_EXCERPT)}`;
      else await response.body?.cancel();
    } catch (e) {
      const cause = (e as Error & { cause?: { code?: string } }).cause?.code;
      error =
        (e as Error).name === 'TimeoutError'
          ? `no answer within ${this.config.WEBHOOK_TIMEOUT_MS} ms`
          : `${(e as Error).message}${cause ? ` (${cause})` : ''}`;
    }

    const state = error === null ? 'delivered' : lastAttempt ? 'failed' : 'pending';
    await this.dataSource.query(
      `UPDATE webhook_deliveries
          SET state = $2, attempts = attempts + 1, last_status_code = $3, last_error = $4, updated_at = now(),
              delivered_at = CASE WHEN $2 = 'delivered' THEN now() END
        WHERE id = $1 AND state = 'pending'`,
      [delivery.id, state, status, error],
    );
    if (error === null) return 'delivered';
    if (lastAttempt) {
      this.logger.warn({ webhookId: webhook.id, deliveryId, error }, 'webhook delivery failed for good');
      return 'failed';
    }
    throw new WebhookAttemptFailed(error);
  }
}
