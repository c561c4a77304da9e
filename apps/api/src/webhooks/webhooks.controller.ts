import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ArrayNotEmpty, IsArray, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import type { Actor } from '#libs/audit';
import { CurrentActor, CurrentPrincipal, RequireRole, type Principal } from '#libs/auth';
import { WebhooksService } from '#libs/compliance';
import {
  WEBHOOK_EVENTS,
  type WebhookDeliveryEntity,
  type WebhookEntity,
  type WebhookEvent,
} from '#libs/persistence';
import {
  ApiDoc,
  ApiErrors,
  ApiJsonBody,
  ApiOfficerController,
  ApiPathParam,
  UuidParamPipe,
} from '#libs/platform';
import { CreatedWebhookResponse, WebhookDeliveryResponse, WebhookResponse } from './webhooks.openapi.js';

const webhookId = ApiPathParam('id', 'id of a webhook (a UUID)');

const uuid = new UuidParamPipe('webhook');

export class CreateWebhookDto {
  @ApiProperty({ example: 'https://siem.example.gouv.fr/rempart' })
  @IsString()
  @MaxLength(2000)
  url!: string;

  @ApiPropertyOptional({ enum: WEBHOOK_EVENTS, isArray: true, description: 'default: every event' })
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty({ message: 'events must name at least one event' })
  @IsIn(WEBHOOK_EVENTS, { each: true, message: `events must be among ${WEBHOOK_EVENTS.join(', ')}` })
  events?: WebhookEvent[];

  @ApiPropertyOptional({ example: 'SIEM du ministère' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;
}

const webhookView = (w: WebhookEntity) => ({
  id: w.id,
  url: w.url,
  events: w.events,
  description: w.description,
  createdBy: w.createdBy,
  createdAt: w.createdAt,
  deletedAt: w.deletedAt,
});

const deliveryView = (d: WebhookDeliveryEntity) => ({
  id: d.id,
  event: d.event,
  state: d.state,
  attempts: d.attempts,
  lastStatusCode: d.lastStatusCode,
  lastError: d.lastError,
  createdAt: d.createdAt,
  updatedAt: d.updatedAt,
  deliveredAt: d.deliveredAt,
  body: JSON.parse(d.body) as unknown,
});

@ApiTags('webhooks')
@ApiOfficerController()
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Get()
  @RequireRole('admin')
  @ApiDoc(
    'List the webhooks',
    'Your compliance webhooks (deleted ones included, with `deletedAt`); never their secrets. Admin only.',
  )
  @ApiResponse({ status: 200, type: [WebhookResponse], description: 'the webhooks' })
  @ApiErrors(403)
  async list(@CurrentPrincipal() principal: Principal) {
    return (await this.webhooks.list(principal.tenantId)).map(webhookView);
  }

  @Post()
  @RequireRole('admin')
  @ApiDoc(
    'Register a compliance webhook',
    'Rempart POSTs each compliance event (a device becoming non-compliant or compliant again) to `url`, signed with HMAC-SHA256 of the secret, retrying with backoff. The secret is in this answer once. Admin only; audited.',
  )
  @ApiJsonBody(CreateWebhookDto, {
    siem: {
      value: {
        url: 'https://siem.example.gouv.fr/rempart',
        events: ['device.non_compliant'],
        description: 'SIEM du ministère',
      },
    },
  })
  @ApiResponse({ status: 201, type: CreatedWebhookResponse, description: 'the webhook, with its secret' })
  @ApiErrors(400, 403)
  async create(@CurrentActor() actor: Actor, @Body() body: CreateWebhookDto) {
    const { webhook, secret } = await this.webhooks.create(actor, body);
    return { ...webhookView(webhook), secret };
  }

  @Delete(':id')
  @RequireRole('admin')
  @HttpCode(200)
  @ApiDoc('Delete a webhook', 'No event is sent to it any more; its delivery log stays. Admin only; audited.')
  @webhookId
  @ApiResponse({ status: 200, type: WebhookResponse, description: 'the webhook, with `deletedAt` set' })
  @ApiErrors(403, 404)
  async delete(@CurrentActor() actor: Actor, @Param('id', uuid) id: string) {
    return webhookView(await this.webhooks.delete(actor, id));
  }

  @Get(':id/deliveries')
  @RequireRole('admin')
  @ApiDoc(
    'Read a webhook’s delivery log',
    'Each event sent, its attempts and the last answer of the receiver. Admin only.',
  )
  @webhookId
  @ApiResponse({ status: 200, type: [WebhookDeliveryResponse], description: 'the deliveries' })
  @ApiErrors(403, 404)
  async deliveries(@CurrentPrincipal() principal: Principal, @Param('id', uuid) id: string) {
    return (await this.webhooks.deliveryLog(principal.tenantId, id)).map(deliveryView);
  }
}
