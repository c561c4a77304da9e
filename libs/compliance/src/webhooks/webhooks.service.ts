import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, IsNull, Repository } from 'typeorm';
import { decryptSecret, encryptSecret } from '#libs/apple';
import { AuditService, type Actor } from '#libs/audit';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import {
  TenantScopedRepository,
  WEBHOOK_EVENTS,
  WebhookDeliveryEntity,
  WebhookEntity,
  type WebhookEvent,
} from '#libs/persistence';
import { DomainException, NotFoundDomainException } from '#libs/platform';

@Injectable()
export class WebhookRepository extends TenantScopedRepository<WebhookEntity> {
  constructor(@InjectRepository(WebhookEntity) repository: Repository<WebhookEntity>) {
    super(repository);
  }
}

@Injectable()
export class WebhookDeliveryRepository extends TenantScopedRepository<WebhookDeliveryEntity> {
  constructor(@InjectRepository(WebhookDeliveryEntity) repository: Repository<WebhookDeliveryEntity>) {
    super(repository);
  }
}

export interface NewWebhook {
  url: string;
  events?: WebhookEvent[];
  description?: string;
}

/** The key material of a webhook's HMAC is bound to its tenant and id. */
export const webhookSecretContext = (tenantId: string, webhookId: string) =>
  `tenant:${tenantId}:webhook:${webhookId}`;

/** Tenants' webhooks: created and deleted by admins (audited), read by the dispatcher and sender. */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly webhooks: WebhookRepository,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Creates a webhook; the secret is returned here once and never again. */
  async create(actor: Actor, input: NewWebhook): Promise<{ webhook: WebhookEntity; secret: string }> {
    const url = this.checkUrl(input.url);
    const events = [...new Set(input.events ?? WEBHOOK_EVENTS)].sort();
    const secret = `whsec_${randomBytes(32).toString('base64url')}`;
    const webhook = await this.dataSource.transaction(async (manager) => {
      const repo = manager.getRepository(WebhookEntity);
      const id = randomUUID();
      const created = await repo.save(
        repo.create({
          id,
          tenantId: actor.tenantId,
          url,
          events,
          description: input.description?.trim() || null,
          secretEncrypted: encryptSecret(
            secret,
            this.config.masterKey,
            webhookSecretContext(actor.tenantId, id),
          ),
          createdBy: actor.label,
          deletedAt: null,
        }),
      );
      await this.audit.record(manager, actor, {
        action: 'webhook.create',
        targetType: 'webhook',
        targetId: created.id,
        after: { url, events, description: created.description },
      });
      return created;
    });
    return { webhook, secret };
  }

  list(tenantId: string): Promise<WebhookEntity[]> {
    return this.webhooks.find(tenantId, { deletedAt: IsNull() }, { order: { createdAt: 'ASC' } });
  }

  async get(tenantId: string, id: string): Promise<WebhookEntity> {
    const webhook = await this.webhooks.findOne(tenantId, { id, deletedAt: IsNull() });
    if (!webhook) throw new NotFoundDomainException('webhook', id);
    return webhook;
  }

  /** Stops deliveries to the webhook; its delivery log stays readable by id. */
  async delete(actor: Actor, id: string): Promise<WebhookEntity> {
    return this.dataSource.transaction(async (manager) => {
      const webhook = await this.webhooks.findOne(actor.tenantId, { id, deletedAt: IsNull() }, manager);
      if (!webhook) throw new NotFoundDomainException('webhook', id);
      webhook.deletedAt = new Date();
      await this.webhooks.update(actor.tenantId, { id }, { deletedAt: webhook.deletedAt }, manager);
      await manager.query(
        `UPDATE webhook_deliveries SET state = 'failed', last_error = 'webhook deleted', updated_at = now()
          WHERE webhook_id = $1 AND state = 'pending'`,
        [id],
      );
      await this.audit.record(manager, actor, {
        action: 'webhook.delete',
        targetType: 'webhook',
        targetId: id,
        before: { url: webhook.url, events: webhook.events },
      });
      return webhook;
    });
  }

  /** The delivery log of a webhook (also of a deleted one), newest first. */
  async deliveryLog(tenantId: string, id: string, limit = 100): Promise<WebhookDeliveryEntity[]> {
    const webhook = await this.webhooks.findOne(tenantId, { id });
    if (!webhook) throw new NotFoundDomainException('webhook', id);
    return this.deliveries.find(tenantId, { webhookId: id }, { order: { createdAt: 'DESC' }, take: limit });
  }

  secretOf(webhook: WebhookEntity): string {
    return decryptSecret(
      webhook.secretEncrypted,
      this.config.masterKey,
      webhookSecretContext(webhook.tenantId, webhook.id),
    );
  }

  /** https only in production; http is for receivers on a development machine or in tests. */
  private checkUrl(raw: string): string {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new DomainException('WEBHOOK_URL_INVALID', 'url: not an absolute URL');
    }
    const allowed = this.config.NODE_ENV === 'production' ? ['https:'] : ['https:', 'http:'];
    if (!allowed.includes(url.protocol)) {
      throw new DomainException(
        'WEBHOOK_URL_INVALID',
        `url: must be ${this.config.NODE_ENV === 'production' ? 'https' : 'http or https'}`,
      );
    }
    if (url.username || url.password) {
      throw new DomainException('WEBHOOK_URL_INVALID', 'url: credentials in the URL are not accepted');
    }
    return url.toString();
  }
}
