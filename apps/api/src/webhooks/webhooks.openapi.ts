import { ApiProperty } from '@nestjs/swagger';
import {
  WEBHOOK_DELIVERY_STATES,
  WEBHOOK_EVENTS,
  type WebhookDeliveryState,
  type WebhookEvent,
} from '#libs/persistence';

export class WebhookResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'https://siem.example.gouv.fr/rempart' })
  url!: string;

  @ApiProperty({ enum: WEBHOOK_EVENTS, isArray: true })
  events!: WebhookEvent[];

  @ApiProperty({ type: String, nullable: true })
  description!: string | null;

  @ApiProperty({ example: 'rssi@interieur.gouv.fr' })
  createdBy!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: Date;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  deletedAt!: Date | null;
}

export class CreatedWebhookResponse extends WebhookResponse {
  @ApiProperty({ description: 'the HMAC signing secret; shown in this answer only' })
  secret!: string;
}

export class WebhookDeliveryResponse {
  @ApiProperty()
  id!: string;

  @ApiProperty({ enum: WEBHOOK_EVENTS })
  event!: WebhookEvent;

  @ApiProperty({ enum: WEBHOOK_DELIVERY_STATES })
  state!: WebhookDeliveryState;

  @ApiProperty()
  attempts!: number;

  @ApiProperty({ type: Number, nullable: true, description: 'HTTP status of the last answer' })
  lastStatusCode!: number | null;

  @ApiProperty({ type: String, nullable: true })
  lastError!: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: Date;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt!: Date;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  deliveredAt!: Date | null;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'the JSON body sent' })
  body!: Record<string, unknown>;
}
