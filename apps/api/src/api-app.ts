import type { INestApplication } from '@nestjs/common';
import type { AppConfig } from '#libs/config';
import type { Logger } from 'pino';
import { createHttpApp, createLogger, jsonBody, smimeBody, yamlBody } from '#libs/platform';
import { ApiModule } from './api.module.js';
import { serveConsole } from './console/serve-console.js';
import { mountQueueDashboard } from './jobs/queue-dashboard.js';

export async function createApiApp(config: AppConfig, logger?: Logger): Promise<INestApplication> {
  const app = await createHttpApp(ApiModule.forRoot(config), {
    logger: logger ?? createLogger('api', config.LOG_LEVEL),
    bodyParsers: [
      jsonBody(config.API_BODY_LIMIT_BYTES),
      yamlBody(config.API_BODY_LIMIT_BYTES),
      smimeBody(config.API_BODY_LIMIT_BYTES),
    ],
    trustProxy: config.TRUST_PROXY,
    openApi: {
      title: 'Rempart API',
      description:
        'Banned and approved app lists, device groups, policies, enrollments, rollouts, compliance, audit.',
      version: '1',
    },
  });
  mountQueueDashboard(app);
  serveConsole(app);
  return app;
}
