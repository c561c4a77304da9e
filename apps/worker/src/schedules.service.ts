import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { JOB_QUEUE, JobQueue, jobOptions, SCHEDULES } from '#libs/jobs';

/** Registers the repeating jobs. Upserts are idempotent, so every worker may do it at start. */
@Injectable()
export class SchedulesService implements OnApplicationBootstrap {
  constructor(private readonly jobs: JobQueue) {}

  async onApplicationBootstrap() {
    for (const schedule of SCHEDULES) {
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
}
