export { QueueName, JobName, JOB_QUEUE, jobOptions, SCHEDULES } from './queues.js';
export type { JobItem, JobOf } from './queues.js';
export { JobsModule, JobQueue } from './jobs.module.js';
