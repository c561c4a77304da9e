import 'reflect-metadata';
import { exitWithOneLine, preflight } from '#libs/platform';
import { createApiApp } from './api-app.js';

const config = await preflight({ migrate: true, redis: true });
try {
  const app = await createApiApp(config);
  await app.listen(config.API_PORT, '0.0.0.0');
} catch (error) {
  exitWithOneLine(error);
}
