import 'reflect-metadata';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  announceListening,
  createLogger,
  exitWithOneLine,
  listenerUrl,
  logShutdown,
  MetricsEndpoint,
  preflight,
} from '#libs/platform';
import { createApiApp } from './api-app.js';

const config = await preflight({ migrate: true, redis: true });
try {
  const logger = createLogger('api', config.LOG_LEVEL);
  const app = await createApiApp(config, logger);
  await app.listen(config.API_PORT, config.BIND_ADDRESS);
  const metricsPort = await app
    .get(MetricsEndpoint)
    .listen(config.METRICS_BIND_ADDRESS, config.API_METRICS_PORT);
  const { address, port } = (app.getHttpServer() as Server).address() as AddressInfo;
  const url = listenerUrl(address, port);
  const docs = listenerUrl(address, port, '/docs');
  const metrics = listenerUrl(config.METRICS_BIND_ADDRESS, metricsPort, '/metrics');
  announceListening(logger, 'api', { url, docs, metrics }, `${url} (OpenAPI ${docs}, metrics ${metrics})`);
  logShutdown(app, logger, 'api');
} catch (error) {
  exitWithOneLine(error);
}
