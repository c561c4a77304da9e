import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { JOB_QUEUE, JobQueue, jobOptions, reconcileSchedule, SCHEDULES } from '#libs/jobs';

/** How often a worker checks that its job schedulers still exist in Redis. */
const WATCH_MS = 10_000;

/**
 * Registers the repeating jobs. Upserts are idempotent, so every worker may do it at start; and
 * since a flushed Redis loses the schedulers too, every worker puts back any that went missing.
 */
@Injectable()
export class SchedulesService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SchedulesService.name);
  private watch?: NodeJS.Timeout;

  constructor(
    private readonly jobs: JobQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private get schedules() {
    return [...SCHEDULES, reconcileSchedule(this.config.ROLLOUT_RECONCILE_SECONDS * 1000)];
  }

  async onApplicationBootstrap() {
    for (const schedule of this.schedules) await this.upsert(schedule);
    this.watch = setInterval(
      () => void this.restoreMissing(),
      Math.min(WATCH_MS, this.config.ROLLOUT_RECONCILE_SECONDS * 1000),
    );
    this.watch.unref();
  }

  onModuleDestroy() {
    clearInterval(this.watch);
  }

  private async restoreMissing() {
    try {
      for (const schedule of this.schedules) {
        const queue = this.jobs.queue(JOB_QUEUE[schedule.item.name]);
        if (!(await queue.getJobScheduler(schedule.id))) {
          this.logger.warn(
            { scheduler: schedule.id },
            'job scheduler missing from Redis; registering it again',
          );
          await this.upsert(schedule);
        }
      }
    } catch (error) {
      this.logger.warn({ error: (error as Error).message }, 'could not check job schedulers');
    }
  }

  private async upsert(schedule: (typeof SCHEDULES)[number]) {
    const { deduplication: _scheduledJobsNeedNoDedup, ...opts } = jobOptions(schedule.item);
    await this.jobs
      .queue(JOB_QUEUE[schedule.item.name])
      .upsertJobScheduler(
        schedule.id,
        { every: schedule.every },
        { name: schedule.item.name, data: schedule.item.data, opts },
      );
  }
}
