import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { JobQueue } from '#libs/jobs';
import { DELIVERY_STATES } from '#libs/persistence';

const JOB_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized'] as const;

/**
 * The worker's Prometheus registry: Node process metrics, pushes by APNs outcome and status, push
 * latency, and, read when scraped, queue depths and deliveries by state.
 */
@Injectable()
export class WorkerMetricsService {
  readonly registry = new Registry();
  readonly pushes: Counter<'outcome' | 'status'>;
  readonly pushDuration: Histogram<'outcome'>;

  constructor(jobs: JobQueue, dataSource: DataSource) {
    collectDefaultMetrics({ register: this.registry, prefix: 'rempart_worker_' });
    this.pushes = new Counter({
      name: 'rempart_apns_pushes_total',
      help: 'APNs pushes by outcome (accepted, unregistered, retry, rejected, certificate) and HTTP status (0: no answer)',
      labelNames: ['outcome', 'status'],
      registers: [this.registry],
    });
    this.pushDuration = new Histogram({
      name: 'rempart_apns_push_duration_seconds',
      help: 'From handing a push to the APNs client to its answer (includes waiting for a free stream)',
      labelNames: ['outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    new Gauge({
      name: 'rempart_queue_jobs',
      help: 'BullMQ jobs per queue and state',
      labelNames: ['queue', 'state'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const queue of jobs.all()) {
          const counts = await queue.getJobCounts(...JOB_STATES);
          for (const state of JOB_STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
        }
      },
    });
    new Gauge({
      name: 'rempart_deliveries',
      help: 'Deliveries (device x policy version) by state, all tenants',
      labelNames: ['state'],
      registers: [this.registry],
      async collect() {
        const rows: Array<{ state: string; count: number }> = await dataSource.query(
          'SELECT state, count(*)::int AS count FROM deliveries GROUP BY state',
        );
        for (const state of DELIVERY_STATES) {
          this.set({ state }, rows.find((r) => r.state === state)?.count ?? 0);
        }
      },
    });
  }
}
