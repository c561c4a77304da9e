import 'reflect-metadata';
import {
  announceListening,
  createLogger,
  exitWithOneLine,
  listenWithMetrics,
  logShutdown,
  preflight,
} from '#libs/platform';
import { createApiApp } from './api-app.js';

const config = await preflight({ migrate: true, redis: true });
try {
  const logger = createLogger('api', config.LOG_LEVEL);
  const app = await createApiApp(config, logger);
  const { url, metrics } = await listenWithMetrics(
    app,
    { host: config.BIND_ADDRESS, port: config.API_PORT },
    { host: config.METRICS_BIND_ADDRESS, port: config.API_METRICS_PORT },
  );
  const docs = `${url}/docs`;
  announceListening(logger, 'api', { url, docs, metrics }, `${url} (OpenAPI ${docs}, metrics ${metrics})`);
  logShutdown(app, logger, 'api');
} catch (error) {
  exitWithOneLine(error);
}
