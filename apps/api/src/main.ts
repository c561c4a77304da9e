import 'reflect-metadata';
import { exitWithOneLine, MetricsEndpoint, preflight } from '#libs/platform';
import { createApiApp } from './api-app.js';

const config = await preflight({ migrate: true, redis: true });
try {
  const app = await createApiApp(config);
  await app.listen(config.API_PORT, config.BIND_ADDRESS);
  await app.get(MetricsEndpoint).listen(config.METRICS_BIND_ADDRESS, config.API_METRICS_PORT);
} catch (error) {
  exitWithOneLine(error);
}
