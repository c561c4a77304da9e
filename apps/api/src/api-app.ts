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
        'Banned and approved app lists, device groups, policies, enrollments, rollouts, compliance, audit. ' +
        'Every `/v1` route takes `Authorization: Bearer <token>` (an opaque officer token) and answers JSON; ' +
        'bodies are JSON sent with `Content-Type: application/json`. Every error is an `ErrorResponse`.',
      version: '1',
      tags: [
        {
          name: 'officers',
          description: 'who you are, officers of your tenant, their bearer tokens and console sessions',
        },
        { name: 'groups', description: 'device groups: the phones that get the same policies' },
        { name: 'catalog', description: 'the apps Rempart knows, with their iOS and Android identifiers' },
        { name: 'app-lists', description: 'block and allow lists, yours and the shipped ones' },
        { name: 'policies', description: 'lists applied to groups; published as immutable, signed versions' },
        { name: 'enrollments', description: 'links and QR codes that let phones join a group' },
        { name: 'devices', description: 'enrolled phones, their inventory and MDM commands' },
        { name: 'rollouts', description: 'how a published version reaches the phones' },
        { name: 'compliance', description: 'which phones still carry a banned app, and since when' },
        { name: 'webhooks', description: 'compliance events sent to your systems, HMAC-signed' },
        {
          name: 'apple',
          description: 'APNs push certificate, tenant CA, signing identity, Apple Business Manager',
        },
        { name: 'android', description: 'the Android Enterprise binding and device sync' },
        { name: 'jobs', description: 'the queues behind rollouts and syncs' },
        { name: 'audit', description: 'the hash-chained log of every officer action' },
        { name: 'health', description: 'liveness and readiness, without a token' },
      ],
    },
  });
  mountQueueDashboard(app);
  serveConsole(app);
  return app;
}
