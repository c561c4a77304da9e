import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { QueueName } from '#libs/jobs';
import {
  announceListening,
  createLogger,
  exitWithOneLine,
  listenerUrl,
  logShutdown,
  PinoNestLogger,
  preflight,
} from '#libs/platform';
import { MetricsServer } from './metrics/metrics-server.js';
import { WorkerModule } from './worker.module.js';

const config = await preflight({ migrate: true, redis: true });
try {
  const logger = createLogger('worker', config.LOG_LEVEL);
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), {
    logger: new PinoNestLogger(logger),
  });
  // SIGTERM: BullMQ workers finish their in-flight jobs, then pools close.
  app.enableShutdownHooks();
  const metrics = listenerUrl(
    config.METRICS_BIND_ADDRESS,
    app.get(MetricsServer).port ?? config.WORKER_METRICS_PORT,
    '/metrics',
  );
  // Every queue has its processor here.
  const queues = Object.values(QueueName);
  announceListening(
    logger,
    'worker',
    { metrics, queues, queuePrefix: config.QUEUE_PREFIX },
    `metrics ${metrics}, consuming queues ${queues.join(', ')} (Redis key prefix ${config.QUEUE_PREFIX})`,
  );
  logShutdown(app, logger, 'worker');
} catch (error) {
  exitWithOneLine(error);
}
