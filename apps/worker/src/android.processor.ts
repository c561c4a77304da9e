import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import {
  AndroidDevicesService,
  AndroidEnterpriseService,
  AndroidRolloutLegService,
} from '#libs/android-server';
import { JobName, QueueName, type JobOf } from '#libs/jobs';
import { DomainException } from '#libs/platform';

/** Android Management API work: rollout legs and the periodic devices.list sync of every bound enterprise. */
@Processor(QueueName.Android)
export class AndroidProcessor extends WorkerHost {
  private readonly logger = new Logger(AndroidProcessor.name);

  constructor(
    private readonly enterprises: AndroidEnterpriseService,
    private readonly devices: AndroidDevicesService,
    private readonly rolloutLeg: AndroidRolloutLegService,
  ) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    switch (job.name as JobName) {
      case JobName.AndroidSyncAll:
        return this.syncAll();
      case JobName.AndroidRolloutLeg:
        return this.rolloutLeg.publish((job.data as JobOf<JobName.AndroidRolloutLeg>).rolloutId);
      default:
        throw new Error(`android queue has no handler for job ${job.name}`);
    }
  }

  /** One tenant failing (AMAPI down, key revoked) never stops the others. */
  private async syncAll() {
    // A leg whose job was lost (Redis flushed) or whose tenant bound its enterprise later.
    await this.rolloutLeg.publishPending();
    const results: Array<{ tenantId: string; devices?: number; error?: string }> = [];
    for (const enterprise of await this.enterprises.listBound()) {
      try {
        const result = await this.devices.syncTenant(enterprise.tenantId);
        results.push({ tenantId: enterprise.tenantId, devices: result.devices });
      } catch (error) {
        if (!(error instanceof DomainException)) throw error;
        this.logger.warn(
          { tenantId: enterprise.tenantId, code: error.code },
          `Android sync skipped: ${error.message}`,
        );
        results.push({ tenantId: enterprise.tenantId, error: error.code });
      }
    }
    return results;
  }
}
