export {
  QueueName,
  JobName,
  JOB_QUEUE,
  FIRST_PUSH_ROUND,
  jobId,
  jobOptions,
  reconcileSchedule,
  SCHEDULES,
} from './queues.js';
export type { JobItem, JobOf } from './queues.js';
export { JobsModule, JobQueue } from './jobs.module.js';
export type { EnqueueTiming } from './jobs.module.js';
