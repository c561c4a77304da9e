import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { FIRST_PUSH_ROUND, JobName, JobQueue, type JobItem } from '#libs/jobs';
import { RolloutSchedulerService } from './rollout-scheduler.service.js';

export interface ReconcileReport {
  /** Scheduled rollouts whose start job was (re-)asserted. */
  schedules: number;
  /** Push jobs enqueued for slices with deliveries overdue. */
  slices: number;
}

/**
 * PostgreSQL says what should be moving; this puts it back on the queue when Redis lost it (flush,
 * failover) or a worker died holding it. Safe to run any time and from any worker: start jobs have
 * one id per rollout, push jobs one id per slice and round, and handlers re-read the database.
 */
@Injectable()
export class ReconcilerService {
  private readonly logger = new Logger(ReconcilerService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly jobs: JobQueue,
    private readonly scheduler: RolloutSchedulerService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async reconcile(now = Date.now()): Promise<ReconcileReport> {
    const scheduled: Array<{ id: string; starts_at: Date }> = await this.dataSource.query(
      `SELECT id, starts_at FROM rollouts WHERE state = 'scheduled'`,
    );
    for (const rollout of scheduled) {
      await this.scheduler.schedule({ id: rollout.id, startsAt: new Date(rollout.starts_at) }, now);
    }
    // A push overdue by more than one period was missed (its job is gone, or the worker died):
    // fresher ones belong to jobs still queued or running. Deliveries are found through their
    // running rollouts: no index covers next_push_at, so that pushes update rows in place.
    const graceSeconds = this.config.ROLLOUT_RECONCILE_SECONDS;
    const overdue: Array<{ rollout_id: string; slice: number }> = await this.dataSource.query(
      `SELECT r.id AS rollout_id, s.slice
         FROM rollouts r
         CROSS JOIN LATERAL (
           SELECT DISTINCT d.slice FROM deliveries d
            WHERE d.rollout_id = r.id AND d.state IN ('pending', 'pushed', 'acknowledged')
              AND d.platform = 'ios' AND d.next_push_at <= now() - make_interval(secs => $1)
         ) s
        WHERE r.state = 'running'`,
      [graceSeconds],
    );
    const round = this.roundAt(now);
    await this.jobs.enqueueBulk(overdue.map((s) => pushItem(s.rollout_id, s.slice, round)));
    const report = { schedules: scheduled.length, slices: overdue.length };
    if (overdue.length > 0) this.logger.log(report, 'reconciler re-enqueued overdue pushes');
    return report;
  }

  /** The first push of every slice of a rollout that has just fanned out. */
  async pushFirstRound(rolloutId: string, slices: number): Promise<void> {
    await this.jobs.enqueueBulk(
      Array.from({ length: slices }, (_, slice) => pushItem(rolloutId, slice, FIRST_PUSH_ROUND)),
    );
  }

  /** After a resume: the slices of this rollout with a push due now. */
  async pushDueSlices(rolloutId: string, now = Date.now()): Promise<number> {
    const due: Array<{ slice: number }> = await this.dataSource.query(
      `SELECT DISTINCT slice FROM deliveries
        WHERE rollout_id = $1 AND state IN ('pending', 'pushed', 'acknowledged') AND platform = 'ios'
          AND next_push_at <= now()`,
      [rolloutId],
    );
    const round = this.roundAt(now);
    for (const { slice } of due) await this.jobs.ensure(pushItem(rolloutId, slice, round));
    return due.length;
  }

  /** Rounds number the reconciler's periods, so each period's re-push is one job per slice. */
  private roundAt(now: number): number {
    return FIRST_PUSH_ROUND + 1 + Math.floor(now / (this.config.ROLLOUT_RECONCILE_SECONDS * 1000));
  }
}

function pushItem(rolloutId: string, slice: number, round: number): JobItem {
  return { name: JobName.ApplePushSlice, data: { rolloutId, slice, round } };
}
