import 'reflect-metadata';
import { runHttpProcess } from '#libs/platform';
import { createApiApp } from './api-app.js';

await runHttpProcess({
  name: 'api',
  create: createApiApp,
  ports: (config) => ({ port: config.API_PORT, metricsPort: config.API_METRICS_PORT }),
  describe: ({ url, metrics }) => {
    const docs = `${url}/docs`;
    return { fields: { url, docs, metrics }, summary: `${url} (OpenAPI ${docs}, metrics ${metrics})` };
  },
});
