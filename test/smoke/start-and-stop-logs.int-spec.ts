import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { QueueName } from '#libs/jobs';
import { buildDist, type RunningProcess, startProcess } from '../support/processes.js';
import { createTestEnvironment, type TestEnvironment } from '../support/test-environment.js';

/*
 * What an operator reads when a process starts and stops: where it listens (each URL answers) and a
 * line when SIGTERM or SIGINT stops it. Real processes from dist/, as `npm start` runs them.
 */

const PROCESS_START_MS = 120_000;

/** The JSON log line whose message starts with `prefix`, parsed. */
async function logLine(process: RunningProcess, prefix: string): Promise<Record<string, unknown>> {
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const [line] = await process.waitFor(new RegExp(`^\\{.*"msg":"${escaped}.*\\}$`, 'm'), PROCESS_START_MS);
  return JSON.parse(line) as Record<string, unknown>;
}

async function expectAnswers(url: string, contains?: string) {
  const response = await fetch(url);
  expect({ url, status: response.status }).toEqual({ url, status: 200 });
  if (contains) expect(await response.text()).toContain(contains);
}

describe('each process says where it listens when it starts, and when it stops', () => {
  let env: TestEnvironment;
  let childEnv: Record<string, string>;
  const running: RunningProcess[] = [];

  beforeAll(async () => {
    buildDist();
    env = await createTestEnvironment();
    childEnv = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      DATABASE_URL: env.config.DATABASE_URL,
      REDIS_URL: env.config.REDIS_URL,
      QUEUE_PREFIX: env.config.QUEUE_PREFIX,
      MDM_PUBLIC_URL: 'https://mdm.rempart.example.gouv.fr',
      API_PORT: '0',
      MDM_PORT: '0',
      API_METRICS_PORT: '0',
      MDM_METRICS_PORT: '0',
      WORKER_METRICS_PORT: '0',
    };
  });
  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop('SIGKILL')));
    await env.dispose();
  });

  it(
    '`rempart up` (npm start): api, mdm and worker log their URLs, which answer; SIGTERM stops all three, each saying so',
    async () => {
      const up = startProcess('up', 'cli', childEnv, ['up']);
      running.push(up);

      const api = await logLine(up, 'api started: ');
      expect(api).toMatchObject({
        service: 'api',
        url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
        docs: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/docs$/),
        metrics: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/),
      });
      expect(api.msg).toContain(
        `${api.url as string} (OpenAPI ${api.docs as string}, metrics ${api.metrics as string})`,
      );
      await expectAnswers(`${api.url as string}/readyz`);
      await expectAnswers(api.docs as string, 'swagger');
      await expectAnswers(api.metrics as string, 'rempart_http_request_duration_seconds');

      const mdm = await logLine(up, 'mdm started: ');
      expect(mdm).toMatchObject({
        service: 'mdm',
        url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
        publicUrl: 'https://mdm.rempart.example.gouv.fr',
        metrics: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/),
      });
      expect(mdm.msg).toContain('MDM_PUBLIC_URL https://mdm.rempart.example.gouv.fr');
      await expectAnswers(`${mdm.url as string}/readyz`);
      await expectAnswers(mdm.metrics as string);

      const worker = await logLine(up, 'worker started: ');
      expect(worker).toMatchObject({
        service: 'worker',
        metrics: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/),
        queues: Object.values(QueueName),
        queuePrefix: env.config.QUEUE_PREFIX,
      });
      await expectAnswers(worker.metrics as string);

      // `up` itself, on stderr: one line per process, then all running.
      await up.waitFor(/^rempart: api, mdm, worker running after \d+ ms/m, PROCESS_START_MS);
      for (const [name, line] of [
        ['api', api],
        ['mdm', mdm],
        ['worker', worker],
      ] as const) {
        expect(up.output()).toContain(
          `rempart: ${name} started: ${(line.msg as string).replace(`${name} started: `, '')}`,
        );
      }

      await up.stop('SIGTERM');
      expect(await up.exited).toBe(0);
      const output = up.output();
      expect(output).toMatch(/^rempart: SIGTERM received; stopping api, mdm, worker$/m);
      for (const name of ['api', 'mdm', 'worker']) {
        expect(output).toMatch(new RegExp(`"signal":"SIGTERM".*"msg":"${name} stopping \\(SIGTERM\\)`));
        expect(output).toMatch(new RegExp(`"msg":"${name} stopped"`));
      }
      expect(output).toMatch(/^rempart: api, mdm, worker stopped$/m);
    },
    PROCESS_START_MS * 2,
  );

  it(
    'the api alone (npm run start:api) logs its URLs, and a line when Ctrl-C (SIGINT) stops it',
    async () => {
      const api = startProcess('api', 'api', childEnv);
      running.push(api);
      const started = await logLine(api, 'api started: ');
      await expectAnswers(`${started.url as string}/readyz`);

      await api.stop('SIGINT');
      expect(await api.exited).toBe(0);
      expect(api.output()).toMatch(
        /"signal":"SIGINT".*"msg":"api stopping \(SIGINT\): finishing in-flight work"/,
      );
      expect(api.output()).toMatch(/"signal":"SIGINT","ms":\d+,"msg":"api stopped"/);
    },
    PROCESS_START_MS * 2,
  );
});
