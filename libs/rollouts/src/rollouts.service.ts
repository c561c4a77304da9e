import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService, type Actor } from '#libs/audit';
import {
  DELIVERY_STATES,
  RolloutEntity,
  type DeliveryState,
  type Platform,
  type RolloutState,
} from '#libs/persistence';
import { ConflictDomainException, NotFoundDomainException } from '#libs/platform';
import { ReconcilerService } from './reconciler.service.js';
import { RolloutRepository } from './rollout.repository.js';
import { isUUID } from 'class-validator';

export type DeliveryCounts = Record<DeliveryState, number>;

export interface RolloutView {
  id: string;
  policy: string;
  version: number;
  state: RolloutState;
  startsAt: Date;
  startedAt: Date | null;
  createdAt: Date;
  createdBy: string;
  total: number;
  counts: DeliveryCounts;
  /** Verified or failed, out of the deliveries neither superseded nor cancelled. */
  percentDone: number;
  /** Running and no delivery left that can still move by itself. */
  complete: boolean;
}

export interface RolloutDetail extends RolloutView {
  /** The same counts per platform (platforms without deliveries are left out). */
  countsByPlatform: Partial<Record<Platform, DeliveryCounts>>;
  /** Why deliveries failed or wait, most frequent first. */
  reasons: Array<{ state: DeliveryState; reason: string; count: number }>;
}

/** Rollouts as officers see and steer them: progress per delivery state, pause, resume, cancel. */
@Injectable()
export class RolloutsService {
  constructor(
    private readonly rollouts: RolloutRepository,
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly reconciler: ReconcilerService,
  ) {}

  async list(tenantId: string, limit = 50): Promise<RolloutView[]> {
    const rows = await this.rollouts.find(tenantId, {}, { order: { createdAt: 'DESC' }, take: limit });
    const counts = await this.counts(rows.map((r) => r.id));
    const slugs = await this.policySlugs(rows);
    return rows.map((r) => view(r, slugs.get(r.policyId) ?? '', counts.get(r.id)));
  }

  async get(tenantId: string, id: string): Promise<RolloutDetail> {
    const rollout = await this.find(tenantId, id);
    const counts = await this.counts([rollout.id]);
    const slugs = await this.policySlugs([rollout]);
    const reasons: Array<{ state: DeliveryState; reason: string; count: number }> =
      await this.dataSource.query(
        `SELECT state, reason, count(*)::int AS count FROM deliveries
        WHERE rollout_id = $1 AND reason IS NOT NULL
        GROUP BY state, reason ORDER BY count DESC, reason LIMIT 20`,
        [rollout.id],
      );
    const perPlatform: Array<{ platform: Platform; state: DeliveryState; count: number }> =
      await this.dataSource.query(
        `SELECT platform, state, count(*)::int AS count FROM deliveries
        WHERE rollout_id = $1 GROUP BY platform, state ORDER BY platform`,
        [rollout.id],
      );
    const countsByPlatform: Partial<Record<Platform, DeliveryCounts>> = {};
    for (const row of perPlatform) {
      (countsByPlatform[row.platform] ??= emptyCounts())[row.state] = row.count;
    }
    return {
      ...view(rollout, slugs.get(rollout.policyId) ?? '', counts.get(rollout.id)),
      countsByPlatform,
      reasons,
    };
  }

  /** No more pushes; phones that check in on their own still receive the queued command. */
  pause(actor: Actor, id: string): Promise<RolloutDetail> {
    return this.transition(actor, id, 'rollout.pause', ['running'], 'paused');
  }

  async resume(actor: Actor, id: string): Promise<RolloutDetail> {
    const detail = await this.transition(actor, id, 'rollout.resume', ['paused'], 'running');
    await this.reconciler.pushDueSlices(id);
    return detail;
  }

  /** Stops the rollout for good: open deliveries cancelled, their queued InstallProfile commands too. */
  cancel(actor: Actor, id: string): Promise<RolloutDetail> {
    return this.transition(
      actor,
      id,
      'rollout.cancel',
      ['scheduled', 'running', 'paused'],
      'cancelled',
      async (manager, rollout) => {
        await manager.query(
          `WITH cancelled AS (
             UPDATE deliveries SET state = 'cancelled', reason = $2, next_push_at = NULL, updated_at = now()
              WHERE rollout_id = $1 AND state IN ('pending', 'pushed', 'acknowledged')
             RETURNING command_id
           )
           UPDATE mdm_commands c SET status = 'cancelled', completed_at = now()
             FROM cancelled WHERE c.id = cancelled.command_id AND c.status = 'queued'`,
          [rollout.id, `cancelled by ${actor.label}`],
        );
      },
    );
  }

  private async transition(
    actor: Actor,
    id: string,
    action: string,
    from: RolloutState[],
    to: RolloutState,
    alsoDo?: (manager: EntityManager, rollout: RolloutEntity) => Promise<void>,
  ): Promise<RolloutDetail> {
    await this.dataSource.transaction(async (manager) => {
      const rollout = await this.find(actor.tenantId, id, manager, true);
      if (!from.includes(rollout.state)) {
        throw new ConflictDomainException(
          'ROLLOUT_STATE',
          `rollout ${id} is ${rollout.state}; only a ${from.join(' or ')} rollout can be ${to}`,
        );
      }
      await manager.update(RolloutEntity, { id: rollout.id }, { state: to });
      await alsoDo?.(manager, rollout);
      await this.audit.record(manager, actor, {
        action,
        targetType: 'rollout',
        targetId: rollout.id,
        before: { state: rollout.state },
        after: { state: to, version: rollout.version },
      });
    });
    return this.get(actor.tenantId, id);
  }

  private async find(tenantId: string, id: string, manager?: EntityManager, lock = false) {
    if (!isUUID(id)) throw new NotFoundDomainException('rollout', id);
    const rollout = lock
      ? await manager!
          .getRepository(RolloutEntity)
          .createQueryBuilder('r')
          .setLock('pessimistic_write')
          .where('r.id = :id AND r.tenant_id = :tenantId', { id, tenantId })
          .getOne()
      : await this.rollouts.findOne(tenantId, { id }, manager);
    if (!rollout) throw new NotFoundDomainException('rollout', id);
    return rollout;
  }

  private async counts(ids: string[]): Promise<Map<string, DeliveryCounts>> {
    const result = new Map<string, DeliveryCounts>();
    if (ids.length === 0) return result;
    const rows: Array<{ rollout_id: string; state: DeliveryState; count: number }> =
      await this.dataSource.query(
        `SELECT rollout_id, state, count(*)::int AS count FROM deliveries
        WHERE rollout_id = ANY($1::uuid[]) GROUP BY rollout_id, state`,
        [ids],
      );
    for (const row of rows) {
      const counts = result.get(row.rollout_id) ?? emptyCounts();
      counts[row.state] = row.count;
      result.set(row.rollout_id, counts);
    }
    return result;
  }

  private async policySlugs(rollouts: RolloutEntity[]): Promise<Map<string, string>> {
    const ids = [...new Set(rollouts.map((r) => r.policyId))];
    if (ids.length === 0) return new Map();
    const rows: Array<{ id: string; slug: string }> = await this.dataSource.query(
      'SELECT id, slug FROM policies WHERE id = ANY($1::uuid[])',
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r.slug]));
  }
}

function emptyCounts(): DeliveryCounts {
  return Object.fromEntries(DELIVERY_STATES.map((s) => [s, 0])) as DeliveryCounts;
}

function view(rollout: RolloutEntity, policy: string, counts = emptyCounts()): RolloutView {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const live = total - counts.superseded - counts.cancelled;
  const done = counts.verified + counts.failed;
  const open = counts.pending + counts.pushed + counts.acknowledged;
  return {
    id: rollout.id,
    policy,
    version: rollout.version,
    state: rollout.state,
    startsAt: rollout.startsAt,
    startedAt: rollout.startedAt,
    createdAt: rollout.createdAt,
    createdBy: rollout.createdBy,
    total,
    counts,
    percentDone: live === 0 ? (rollout.startedAt ? 100 : 0) : Math.floor((1000 * done) / live) / 10,
    complete: rollout.state === 'running' && open === 0,
  };
}
