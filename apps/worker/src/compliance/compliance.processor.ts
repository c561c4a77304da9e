import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { DelayedError, type Job } from 'bullmq';
import {
  ComplianceEvaluator,
  ComplianceSnapshotsService,
  ComplianceSweepService,
  InventoryRefreshService,
} from '#libs/compliance';
import { JobName, JobQueue, QueueName, type JobOf } from '#libs/jobs';
import { PushLegService } from '../push/push-leg.service.js';

/**
 * A tenant's re-evaluation after a rollout starts waits while APNs push slices are queued or
 * running, looking again this often, for at most PUSH_ROUND_MAX_WAIT_MS after it was enqueued.
 * On a small machine the evaluation (about a second of a database core per 100,000 devices) would
 * otherwise slow the first push round, and the verdicts it writes change little before the phones
 * have been woken.
 */
export const PUSH_ROUND_POLL_MS = 1_000;
export const PUSH_ROUND_MAX_WAIT_MS = 120_000;

export interface SweepReport {
  tenants: number;
  changed: number;
  refreshed: number;
}

/** Tenant re-evaluation after a rollout, and the periodic sweep (stale devices, refresh, snapshot). */
@Processor(QueueName.Compliance)
export class ComplianceProcessor extends WorkerHost {
  private readonly logger = new Logger(ComplianceProcessor.name);

  constructor(
    private readonly evaluator: ComplianceEvaluator,
    private readonly sweeper: ComplianceSweepService,
    private readonly refresh: InventoryRefreshService,
    private readonly snapshots: ComplianceSnapshotsService,
    private readonly pushLeg: PushLegService,
    private readonly jobs: JobQueue,
  ) {
    super();
  }

  async process(job: Job, token?: string): Promise<unknown> {
    switch (job.name as JobName) {
      case JobName.ComplianceEvaluateTenant: {
        if (Date.now() - job.timestamp < PUSH_ROUND_MAX_WAIT_MS && (await this.pushesUnderWay())) {
          await job.moveToDelayed(Date.now() + PUSH_ROUND_POLL_MS, token);
          throw new DelayedError();
        }
        const { tenantId } = job.data as JobOf<JobName.ComplianceEvaluateTenant>;
        const changes = await this.evaluator.evaluateInDatabase(tenantId);
        await this.snapshots.takeToday(tenantId);
        return { changes: changes.length };
      }
      case JobName.ComplianceSweep:
        return this.sweep();
      default:
        throw new Error(`compliance queue has no handler for job ${job.name}`);
    }
  }

  private async pushesUnderWay(): Promise<boolean> {
    const counts = await this.jobs
      .queue(QueueName.ApplePushes)
      .getJobCounts('waiting', 'active', 'prioritized');
    return Object.values(counts).some((count) => count > 0);
  }

  private async sweep(): Promise<SweepReport> {
    const report: SweepReport = { tenants: 0, changed: 0, refreshed: 0 };
    for (const tenantId of await this.sweeper.tenantIds()) {
      report.tenants += 1;
      report.changed += await this.sweeper.sweep(tenantId);
      const asked = await this.refresh.queueDue(tenantId);
      report.refreshed += asked.length;
      if (asked.length > 0) {
        const woken = await this.pushLeg.wakeDevices(tenantId, asked);
        await this.refresh.markTokensUnregistered(woken.unregistered);
        if (woken.held) this.logger.warn({ tenantId, devices: asked.length }, woken.held);
      }
      await this.snapshots.takeToday(tenantId);
    }
    return report;
  }
}
