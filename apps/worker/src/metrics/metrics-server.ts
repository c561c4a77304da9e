import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { WorkerMetricsService } from './worker-metrics.service.js';

/**
 * The worker has no HTTP API; this one plain HTTP listener serves `GET /metrics` (and `/healthz`)
 * on METRICS_BIND_ADDRESS:WORKER_METRICS_PORT, for Prometheus inside the deployment's network.
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(MetricsServer.name);
  private server?: Server;

  constructor(
    private readonly metrics: WorkerMetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The port actually listened on (WORKER_METRICS_PORT=0 picks a free one). */
  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  async onApplicationBootstrap(): Promise<void> {
    const server = createServer((req, res) => {
      if (req.method === 'GET' && req.url === '/metrics') {
        this.metrics.registry.metrics().then(
          (body) => {
            res.writeHead(200, { 'Content-Type': this.metrics.registry.contentType });
            res.end(body);
          },
          (error: Error) => {
            this.logger.warn({ error: error.message }, 'metrics scrape failed');
            res.writeHead(503, { 'Content-Type': 'text/plain' });
            res.end(`metrics unavailable: ${error.message}\n`);
          },
        );
      } else if (req.method === 'GET' && req.url === '/healthz') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('{"status":"ok"}');
      } else {
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        res.end('not found\n');
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'EADDRINUSE'
            ? new Error(
                `WORKER_METRICS_PORT ${this.config.WORKER_METRICS_PORT} is already in use (set another, or 0)`,
              )
            : error,
        ),
      );
      server.listen(this.config.WORKER_METRICS_PORT, this.config.METRICS_BIND_ADDRESS, () => resolve());
    });
    this.server = server;
    this.logger.log({ port: this.port }, `worker metrics on :${this.port}/metrics`);
  }

  async onModuleDestroy(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
