import 'reflect-metadata';
import { runHttpProcess } from '#libs/platform';
import { createMdmApp } from './mdm-app.js';

await runHttpProcess({
  name: 'mdm',
  create: createMdmApp,
  ports: (config) => ({ port: config.MDM_PORT, metricsPort: config.MDM_METRICS_PORT }),
  describe: ({ url, metrics }, { MDM_PUBLIC_URL: publicUrl }) => ({
    fields: { url, publicUrl, metrics },
    summary: `${url}, reached by phones at MDM_PUBLIC_URL ${publicUrl} (metrics ${metrics})`,
  }),
});
