import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { AndroidDevicesService, AndroidEnterpriseService } from '#libs/android-server';
import { JobName, QueueName } from '#libs/jobs';
import { DomainException } from '#libs/platform';

/** Android Management API work: the periodic devices.list sync of every bound enterprise. */
@Processor(QueueName.Android)
export class AndroidProcessor extends WorkerHost {
  private readonly logger = new Logger(AndroidProcessor.name);

  constructor(
    private readonly enterprises: AndroidEnterpriseService,
    private readonly devices: AndroidDevicesService,
  ) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    switch (job.name as JobName) {
      case JobName.AndroidSyncAll:
        return this.syncAll();
      default:
        throw new Error(`android queue has no handler for job ${job.name}`);
    }
  }

  /** One tenant failing (AMAPI down, key revoked) never stops the others. */
  private async syncAll() {
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
