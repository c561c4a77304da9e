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
import { createMdmApp } from './mdm-app.js';

const config = await preflight({ migrate: true, redis: true });
try {
  const logger = createLogger('mdm', config.LOG_LEVEL);
  const app = await createMdmApp(config, logger);
  await app.listen(config.MDM_PORT, config.BIND_ADDRESS);
  const metricsPort = await app
    .get(MetricsEndpoint)
    .listen(config.METRICS_BIND_ADDRESS, config.MDM_METRICS_PORT);
  const { address, port } = (app.getHttpServer() as Server).address() as AddressInfo;
  const url = listenerUrl(address, port);
  const publicUrl = config.MDM_PUBLIC_URL;
  const metrics = listenerUrl(config.METRICS_BIND_ADDRESS, metricsPort, '/metrics');
  announceListening(
    logger,
    'mdm',
    { url, publicUrl, metrics },
    `${url}, reached by phones at MDM_PUBLIC_URL ${publicUrl} (metrics ${metrics})`,
  );
  logShutdown(app, logger, 'mdm');
} catch (error) {
  exitWithOneLine(error);
}
