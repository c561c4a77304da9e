import 'reflect-metadata';
import { exitWithOneLine, MetricsEndpoint, preflight } from '#libs/platform';
import { createMdmApp } from './mdm-app.js';

const config = await preflight({ migrate: true, redis: true });
try {
  const app = await createMdmApp(config);
  await app.listen(config.MDM_PORT, config.BIND_ADDRESS);
  await app.get(MetricsEndpoint).listen(config.METRICS_BIND_ADDRESS, config.MDM_METRICS_PORT);
} catch (error) {
  exitWithOneLine(error);
}
