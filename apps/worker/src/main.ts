import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { createLogger, exitWithOneLine, PinoNestLogger, preflight } from '#libs/platform';
import { WorkerModule } from './worker.module.js';

const config = await preflight({ migrate: true, redis: true });
try {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), {
    logger: new PinoNestLogger(createLogger('worker', config.LOG_LEVEL)),
  });
  // SIGTERM: BullMQ workers finish their in-flight jobs, then pools close.
  app.enableShutdownHooks();
} catch (error) {
  exitWithOneLine(error);
}
