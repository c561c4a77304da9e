import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { JobName, JobQueue, type JobItem } from '#libs/jobs';

/** Events turned into deliveries per dispatch (the next dispatch takes the rest). */
const DISPATCH_BATCH = 1000;
/** A pending delivery untouched for this long lost its job (Redis flushed, worker killed). */
const LOST_AFTER_SECONDS = 15 * 60;

/**
 * The outbox: status changes that are events (compliance_history.event) become one delivery per
 * subscribed webhook of the tenant, in one transaction, then one queue job per delivery. The mdm
 * process writes events without Redis; this moves them to the queue.
 */
@Injectable()
export class WebhookDispatcherService {
  private readonly logger = new Logger(WebhookDispatcherService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly jobs: JobQueue,
  ) {}

  async dispatch(): Promise<{ events: number; deliveries: number; requeued: number }> {
    const { events, deliveryIds } = await this.dataSource.transaction(async (manager) => {
      const picked: Array<{ id: string }> = await manager.query(
        `SELECT id FROM compliance_history WHERE event IS NOT NULL AND dispatched_at IS NULL
          ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [DISPATCH_BATCH],
      );
      if (picked.length === 0) return { events: 0, deliveryIds: [] as string[] };
      const ids = picked.map((p) => p.id);
      const created: Array<{ id: string }> = await manager.query(
        `INSERT INTO webhook_deliveries (tenant_id, webhook_id, history_id, event, body)
         SELECT h.tenant_id, w.id, h.id, h.event,
                jsonb_build_object(
                  'id', h.id::text, 'type', h.event, 'occurredAt', h.changed_at, 'tenant', t.slug,
                  'device', jsonb_build_object('udid', d.udid, 'serialNumber', d.serial_number,
                                               'deviceName', d.device_name, 'platform', d.platform,
                                               'group', g.slug),
                  'status', jsonb_build_object('from', h.from_status, 'to', h.to_status),
                  'reasons', h.reasons)::text
           FROM compliance_history h
           JOIN tenants t ON t.id = h.tenant_id
           JOIN devices d ON d.id = h.device_id
           JOIN device_groups g ON g.id = d.group_id
           JOIN webhooks w ON w.tenant_id = h.tenant_id AND w.deleted_at IS NULL AND h.event = ANY(w.events)
          WHERE h.id = ANY($1::bigint[])
         ON CONFLICT (webhook_id, history_id) DO NOTHING
         RETURNING id`,
        [ids],
      );
      await manager.query(
        'UPDATE compliance_history SET dispatched_at = now() WHERE id = ANY($1::bigint[])',
        [ids],
      );
      return { events: ids.length, deliveryIds: created.map((c) => c.id) };
    });
    const lost: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id FROM webhook_deliveries
        WHERE state = 'pending' AND updated_at < now() - make_interval(secs => $1) LIMIT $2`,
      [LOST_AFTER_SECONDS, DISPATCH_BATCH],
    );
    // Deterministic job ids: a delivery whose job still exists is not added twice.
    await this.jobs.enqueueBulk([...deliveryIds, ...lost.map((l) => l.id)].map(deliverItem));
    if (lost.length > 0) {
      await this.dataSource.query(
        'UPDATE webhook_deliveries SET updated_at = now() WHERE id = ANY($1::uuid[])',
        [lost.map((l) => l.id)],
      );
      this.logger.warn({ deliveries: lost.length }, 'webhook deliveries without a job enqueued again');
    }
    return { events, deliveries: deliveryIds.length, requeued: lost.length };
  }
}

function deliverItem(deliveryId: string): JobItem {
  return { name: JobName.WebhookDeliver, data: { deliveryId } };
}
