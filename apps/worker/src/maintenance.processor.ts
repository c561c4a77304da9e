import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { PushCertificatesService } from '#libs/apple-server';
import { AuditService } from '#libs/audit';
import { TenantsService } from '#libs/auth';
import { JobName, QueueName, type JobOf } from '#libs/jobs';

export interface ChainReport {
  tenant: string;
  ok: boolean;
  checked: number;
  brokenAtSeq?: number;
  reason?: string;
}

/** Re-verifies audit chains so that tampering is noticed without waiting for someone to ask. */
@Processor(QueueName.Maintenance)
export class MaintenanceProcessor extends WorkerHost {
  private readonly logger = new Logger(MaintenanceProcessor.name);

  constructor(
    private readonly audit: AuditService,
    private readonly tenants: TenantsService,
    private readonly pushCertificates: PushCertificatesService,
  ) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    switch (job.name as JobName) {
      case JobName.AuditChainVerify:
        return this.verifyChains(job.data as JobOf<JobName.AuditChainVerify>);
      case JobName.PushCertificateExpiryCheck:
        return this.warnAboutExpiringPushCertificates();
      default:
        throw new Error(`maintenance queue has no handler for job ${job.name}`);
    }
  }

  private async warnAboutExpiringPushCertificates() {
    const expiring = await this.pushCertificates.expiringSoon();
    for (const certificate of expiring) {
      this.logger.warn({ tenantId: certificate.tenantId, topic: certificate.topic }, certificate.warning!);
    }
    return expiring.map(({ tenantId, topic, expiresInDays }) => ({ tenantId, topic, expiresInDays }));
  }

  private async verifyChains(data: JobOf<JobName.AuditChainVerify>): Promise<ChainReport[]> {
    const tenants = (await this.tenants.list()).filter((t) => !data.tenantId || t.id === data.tenantId);
    const reports: ChainReport[] = [];
    for (const tenant of tenants) {
      const result = await this.audit.verify(tenant.id);
      if (result.ok) {
        reports.push({ tenant: tenant.slug, ok: true, checked: result.checked });
      } else {
        this.logger.error(
          { tenant: tenant.slug, seq: result.brokenAt.seq, reason: result.brokenAt.reason },
          `audit chain of tenant ${tenant.slug} is broken at event ${result.brokenAt.seq}`,
        );
        reports.push({
          tenant: tenant.slug,
          ok: false,
          checked: result.checked,
          brokenAtSeq: result.brokenAt.seq,
          reason: result.brokenAt.reason,
        });
      }
    }
    return reports;
  }
}
