import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { decodePlistDict } from '#libs/apple';
import { JobName, JobQueue } from '#libs/jobs';
import type { PolicyVersionEntity, RolloutEntity } from '#libs/persistence';
import { RolloutRepository } from './rollout.repository.js';

/**
 * Creates a version's rollout row (in the publishing transaction) and its start job: a BullMQ job
 * delayed until `effectiveAt`. The row is the truth; the job only saves waiting for the reconciler.
 */
@Injectable()
export class RolloutSchedulerService {
  private readonly logger = new Logger(RolloutSchedulerService.name);

  constructor(
    private readonly rollouts: RolloutRepository,
    private readonly jobs: JobQueue,
  ) {}

  async createForVersion(
    manager: EntityManager,
    version: PolicyVersionEntity,
    createdBy: string,
  ): Promise<RolloutEntity> {
    const profile = decodePlistDict(version.iosProfile);
    return this.rollouts.insert(
      version.tenantId,
      {
        policyId: version.policyId,
        policyVersionId: version.id,
        version: version.version,
        state: 'scheduled',
        startsAt: version.effectiveAt,
        startedAt: null,
        profileIdentifier: String(profile.PayloadIdentifier),
        profileUuid: String(profile.PayloadUUID),
        createdBy,
      },
      manager,
    );
  }

  /**
   * Enqueues the start job once the rollout row is committed. Redis being away does not fail the
   * publication: the reconciler re-creates the job from the row.
   */
  async schedule(rollout: Pick<RolloutEntity, 'id' | 'startsAt'>, now = Date.now()): Promise<void> {
    try {
      await this.jobs.ensure(
        { name: JobName.RolloutStart, data: { rolloutId: rollout.id } },
        { delay: Math.max(0, rollout.startsAt.getTime() - now) },
      );
    } catch (error) {
      this.logger.warn(
        { rolloutId: rollout.id, error: (error as Error).message },
        'rollout start not enqueued; the reconciler will enqueue it',
      );
    }
  }
}
