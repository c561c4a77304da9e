import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
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

const uuid = new ParseUUIDPipe({ version: '4', errorHttpStatusCode: 404 });

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

  @ApiPropertyOptional()
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
@ApiBearerAuth()
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Get()
  @RequireRole('admin')
  async list(@CurrentPrincipal() principal: Principal) {
    return (await this.webhooks.list(principal.tenantId)).map(webhookView);
  }

  @Post()
  @RequireRole('admin')
  @ApiOperation({
    summary: 'Register an endpoint for compliance events; the signing secret is in the response once',
  })
  async create(@CurrentActor() actor: Actor, @Body() body: CreateWebhookDto) {
    const { webhook, secret } = await this.webhooks.create(actor, body);
    return { ...webhookView(webhook), secret };
  }

  @Delete(':id')
  @RequireRole('admin')
  @HttpCode(200)
  async delete(@CurrentActor() actor: Actor, @Param('id', uuid) id: string) {
    return webhookView(await this.webhooks.delete(actor, id));
  }

  @Get(':id/deliveries')
  @RequireRole('admin')
  @ApiOperation({ summary: 'The delivery log: each event, its attempts and the last answer' })
  async deliveries(@CurrentPrincipal() principal: Principal, @Param('id', uuid) id: string) {
    return (await this.webhooks.deliveryLog(principal.tenantId, id)).map(deliveryView);
  }
}
