import 'reflect-metadata';
import { exitWithOneLine, preflight } from '#libs/platform';
import { createMdmApp } from './mdm-app.js';

const config = await preflight({ migrate: true, redis: true });
try {
  const app = await createMdmApp(config);
  await app.listen(config.MDM_PORT, '0.0.0.0');
} catch (error) {
  exitWithOneLine(error);
}
