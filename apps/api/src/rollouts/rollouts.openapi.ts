import { ApiProperty } from '@nestjs/swagger';
import { DELIVERY_STATES, ROLLOUT_STATES, type DeliveryState, type RolloutState } from '#libs/persistence';

export class RolloutResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'messageries-2023', description: 'slug of the policy' })
  policy!: string;

  @ApiProperty({ example: 1 })
  version!: number;

  @ApiProperty({ enum: ROLLOUT_STATES })
  state!: RolloutState;

  @ApiProperty({ type: String, format: 'date-time', description: 'the version’s effectiveAt' })
  startsAt!: Date;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  startedAt!: Date | null;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: Date;

  @ApiProperty({ example: 'rssi@interieur.gouv.fr' })
  createdBy!: string;

  @ApiProperty({ description: 'deliveries (one per targeted device)' })
  total!: number;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    description: `deliveries per state: ${DELIVERY_STATES.join(', ')}`,
  })
  counts!: Record<DeliveryState, number>;

  @ApiProperty({ example: 87.5, description: 'verified or failed, out of the deliveries still due' })
  percentDone!: number;

  @ApiProperty({ description: 'running and no delivery left that can still move by itself' })
  complete!: boolean;
}

class RolloutReasonResponse {
  @ApiProperty({ enum: DELIVERY_STATES })
  state!: DeliveryState;

  @ApiProperty({ example: 'the phone has not checked in since the push' })
  reason!: string;

  @ApiProperty()
  count!: number;
}

export class FailedJobResponse {
  @ApiProperty({ example: 'apple-pushes' })
  queue!: string;

  @ApiProperty()
  id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ format: 'uuid' })
  rolloutId!: string;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'the job’s ids-only payload' })
  data!: Record<string, unknown>;

  @ApiProperty({ description: 'the error of the last attempt' })
  reason!: string;

  @ApiProperty()
  attempts!: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  failedAt!: Date | null;
}

export class RolloutDetailResponse extends RolloutResponse {
  @ApiProperty({
    type: [RolloutReasonResponse],
    description: 'why deliveries failed or wait, most frequent first',
  })
  reasons!: RolloutReasonResponse[];
}

export class RolloutWithJobsResponse extends RolloutDetailResponse {
  @ApiProperty({ type: [FailedJobResponse], description: 'jobs of this rollout that gave up' })
  failedJobs!: FailedJobResponse[];
}

export class QueueCountsResponse {
  @ApiProperty({ example: 'rollouts' })
  queue!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    example: { waiting: 0, active: 1, delayed: 2, failed: 0, completed: 40 },
  })
  counts!: Record<string, number>;
}
