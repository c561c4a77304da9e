import type { INestApplication } from '@nestjs/common';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { createMdmApp } from '../../apps/mdm/src/mdm-app.js';
import { createLogger } from '#libs/platform';
import { type ApiHarness, type HarnessOptions, startApi } from './api-harness.js';

/** A free TCP port on loopback (the MDM URL goes into enrollment profiles before the server starts). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface MdmHarness {
  api: ApiHarness;
  mdm: INestApplication;
  mdmUrl: string;
  mdmLogs: Array<Record<string, unknown>>;
  close: () => Promise<void>;
}

/** The officer API (supertest) and the phone-facing mdm process (real HTTP on loopback), one database. */
export async function startApiAndMdm(
  env: Record<string, string> = {},
  options: HarnessOptions = {},
): Promise<MdmHarness> {
  const port = await freePort();
  const mdmUrl = `http://127.0.0.1:${port}`;
  const api = await startApi({ MDM_PORT: String(port), MDM_PUBLIC_URL: mdmUrl, ...env }, options);
  const mdmLogs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) mdmLogs.push(JSON.parse(line));
      done();
    },
  });
  const mdm = await createMdmApp(api.config, createLogger('mdm', options.logLevel ?? 'info', sink));
  await mdm.listen(port, '127.0.0.1');
  return {
    api,
    mdm,
    mdmUrl,
    mdmLogs,
    close: async () => {
      await mdm.close();
      await api.close();
    },
  };
}
