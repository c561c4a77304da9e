import type { Server } from 'node:http';
import { type AddressInfo, isIPv6 } from 'node:net';
import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import type { Logger } from 'pino';
import type { AppConfig } from '#libs/config';
import { createLogger } from './logger.js';
import { MetricsEndpoint } from './metrics.js';
import { exitWithOneLine, preflight } from './preflight.js';

/** `http://host:port` plus `path`, an IPv6 host in brackets. */
export function listenerUrl(host: string, port: number, path = ''): string {
  return `http://${isIPv6(host) ? `[${host}]` : host}:${port}${path}`;
}

/**
 * Listens on `port` (0: any free one) and starts the app's Prometheus listener on its own address
 * and port; answers the URLs actually bound.
 */
export async function listenWithMetrics(
  app: INestApplication,
  listen: { host: string; port: number },
  metricsListen: { host: string; port: number },
): Promise<{ url: string; metrics: string }> {
  await app.listen(listen.port, listen.host);
  const metricsPort = await app.get(MetricsEndpoint).listen(metricsListen.host, metricsListen.port);
  const { address, port } = (app.getHttpServer() as Server).address() as AddressInfo;
  return {
    url: listenerUrl(address, port),
    metrics: listenerUrl(metricsListen.host, metricsPort, '/metrics'),
  };
}

/** What a process tells `rempart up` (its parent, over the fork IPC channel) once it listens. */
export interface ListeningMessage {
  type: 'rempart.listening';
  process: string;
  /** One line a person reads: where to reach the process. */
  summary: string;
}

export function isListeningMessage(message: unknown): message is ListeningMessage {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as ListeningMessage).type === 'rempart.listening' &&
    typeof (message as ListeningMessage).process === 'string' &&
    typeof (message as ListeningMessage).summary === 'string'
  );
}

/**
 * Logs where a process can be reached, once it listens, and tells `rempart up` when it runs the
 * process. `summary` is the human part of the line; `urls` the same, as fields for log search.
 */
export function announceListening(
  logger: Logger,
  name: string,
  urls: Record<string, string | string[]>,
  summary: string,
): void {
  logger.info({ ...urls }, `${name} started: ${summary}`);
  const message: ListeningMessage = { type: 'rempart.listening', process: name, summary };
  process.send?.(message);
}

const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/** How long a closed process may take to end on its own before the signal ends it. */
const EXIT_GRACE_MS = 2_000;

/**
 * Logs a line when SIGTERM or SIGINT arrives and another once the application has closed. Nest's
 * shutdown hooks (enabled on every process) do the closing; this listener joins their shutdown and
 * absorbs the signal Nest re-sends afterwards, so that the process ends on its own once its last log
 * lines are written (they are written asynchronously; a signal's default action would cut them off).
 * A handle left open cannot keep it alive: the signal ends it after EXIT_GRACE_MS.
 */
export function logShutdown(app: INestApplicationContext, logger: Logger, name: string): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, `${name} stopping (${signal}): finishing in-flight work`);
    const started = Date.now();
    // close() while Nest's own signal handler is closing awaits that same shutdown.
    void app.close().then(
      () => {
        logger.info({ signal, ms: Date.now() - started }, `${name} stopped`);
        setTimeout(() => {
          for (const s of SHUTDOWN_SIGNALS) process.removeListener(s, onSignal);
          process.kill(process.pid, signal);
        }, EXIT_GRACE_MS).unref();
      },
      // Nest logs the failure and exits 1 itself.
      () => undefined,
    );
  };
  for (const signal of SHUTDOWN_SIGNALS) process.on(signal, onSignal);
}

export interface HttpProcess {
  name: 'api' | 'mdm';
  create: (config: AppConfig, logger: Logger) => Promise<INestApplication>;
  ports: (config: AppConfig) => { port: number; metricsPort: number };
  /** The start line: its URLs as log fields, and the human summary. */
  describe: (
    urls: { url: string; metrics: string },
    config: AppConfig,
  ) => { fields: Record<string, string>; summary: string };
}

/**
 * What the api and mdm main.ts do: preflight (environment, database, Redis), create the app, listen
 * on its port and its metrics port, say where, and say when a signal stops it. A failure exits 1
 * with one line.
 */
export async function runHttpProcess(spec: HttpProcess): Promise<void> {
  const config = await preflight({ migrate: true, redis: true });
  try {
    const logger = createLogger(spec.name, config.LOG_LEVEL);
    const app = await spec.create(config, logger);
    const { port, metricsPort } = spec.ports(config);
    const urls = await listenWithMetrics(
      app,
      { host: config.BIND_ADDRESS, port },
      { host: config.METRICS_BIND_ADDRESS, port: metricsPort },
    );
    const { fields, summary } = spec.describe(urls, config);
    announceListening(logger, spec.name, fields, summary);
    logShutdown(app, logger, spec.name);
  } catch (error) {
    exitWithOneLine(error);
  }
}
