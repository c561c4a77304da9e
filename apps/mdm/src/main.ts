import 'reflect-metadata';
import {
  announceListening,
  createLogger,
  exitWithOneLine,
  listenWithMetrics,
  logShutdown,
  preflight,
} from '#libs/platform';
import { createMdmApp } from './mdm-app.js';

const config = await preflight({ migrate: true, redis: true });
try {
  const logger = createLogger('mdm', config.LOG_LEVEL);
  const app = await createMdmApp(config, logger);
  const { url, metrics } = await listenWithMetrics(
    app,
    { host: config.BIND_ADDRESS, port: config.MDM_PORT },
    { host: config.METRICS_BIND_ADDRESS, port: config.MDM_METRICS_PORT },
  );
  const publicUrl = config.MDM_PUBLIC_URL;
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
