import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, type EntityManager, Repository } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { AuditEventEntity } from '#libs/persistence';
import type { Actor } from './actor.js';
import { chainHash, chainMac, GENESIS_HASH, macMatches } from './audit-chain.js';

export interface AuditEntry {
  action: string;
  targetType: string;
  targetId: string;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

export interface AuditQuery {
  actor?: string;
  action?: string;
  from?: Date;
  to?: Date;
  /** Return events older than this sequence number (the previous page's `nextCursor`). */
  before?: number;
  limit: number;
}

export type ChainVerification =
  /** `unsigned`: events from before MACs existed, all at the start of the chain. */
  | { ok: true; checked: number; unsigned: number }
  | { ok: false; checked: number; brokenAt: { seq: number; id: string; reason: string } };

const VERIFY_BATCH = 1000;

@Injectable()
export class AuditService {
  constructor(
    @InjectRepository(AuditEventEntity) private readonly events: Repository<AuditEventEntity>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Appends an event to the tenant's chain, inside the caller's transaction so that a mutation and
   * its audit record commit together. A per-tenant transaction lock orders concurrent writers.
   */
  async record(manager: EntityManager, actor: Actor, entry: AuditEntry): Promise<AuditEventEntity> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended('audit:' || $1, 0))`, [
      actor.tenantId,
    ]);
    const last = await manager.getRepository(AuditEventEntity).findOne({
      where: { tenantId: actor.tenantId },
      order: { seq: 'DESC' },
      select: { seq: true, hash: true },
    });
    const fields = {
      tenantId: actor.tenantId,
      seq: (last?.seq ?? 0) + 1,
      occurredAt: new Date(),
      actorId: actor.officerId,
      actorLabel: actor.label,
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId,
      before: entry.before ?? null,
      after: entry.after ?? null,
      requestId: actor.requestId ?? null,
      prevHash: last?.hash ?? GENESIS_HASH,
    };
    const hash = chainHash(fields);
    return manager
      .getRepository(AuditEventEntity)
      .save(
        manager.create(AuditEventEntity, { ...fields, hash, mac: chainMac(hash, this.config.auditHmacKey) }),
      );
  }

  async list(
    tenantId: string,
    query: AuditQuery,
  ): Promise<{ items: AuditEventEntity[]; nextCursor: number | null }> {
    const qb = this.events
      .createQueryBuilder('e')
      .where('e.tenant_id = :tenantId', { tenantId })
      .orderBy('e.seq', 'DESC')
      .limit(query.limit + 1);
    if (query.actor) {
      qb.andWhere(
        new Brackets((w) =>
          w.where('e.actor_label = :actor', { actor: query.actor }).orWhere('e.actor_id::text = :actor'),
        ),
      );
    }
    if (query.action) qb.andWhere('e.action = :action', { action: query.action });
    if (query.from) qb.andWhere('e.occurred_at >= :from', { from: query.from });
    if (query.to) qb.andWhere('e.occurred_at < :to', { to: query.to });
    if (query.before !== undefined) qb.andWhere('e.seq < :before', { before: query.before });
    const rows = await qb.getMany();
    const items = rows.slice(0, query.limit);
    return { items, nextCursor: rows.length > query.limit ? items[items.length - 1].seq : null };
  }

  /**
   * Walks the tenant's chain from the start and names the first event that does not hold: a gap, a
   * broken link, content that does not match its hash, or a hash whose MAC does not verify under
   * AUDIT_HMAC_KEY. An event without a MAC is broken, unless `allowUnsignedPrefix` accepts those at
   * the start of a chain begun before MACs existed (the first signed event's prev_hash pins them; but
   * a chain with no signed event at all is then only as strong as the hash chain).
   */
  async verify(
    tenantId: string,
    options: { allowUnsignedPrefix?: boolean } = {},
  ): Promise<ChainVerification> {
    let expectedSeq = 1;
    let prevHash = GENESIS_HASH;
    let checked = 0;
    let unsigned = 0;
    for (;;) {
      const batch = await this.events
        .createQueryBuilder('e')
        .where('e.tenant_id = :tenantId AND e.seq >= :seq', { tenantId, seq: expectedSeq })
        .orderBy('e.seq', 'ASC')
        .limit(VERIFY_BATCH)
        .getMany();
      for (const event of batch) {
        const broken = (reason: string): ChainVerification => ({
          ok: false,
          checked,
          brokenAt: { seq: event.seq, id: event.id, reason },
        });
        if (event.seq !== expectedSeq)
          return broken(`event ${expectedSeq} is missing (next found is ${event.seq})`);
        if (event.prevHash !== prevHash) return broken('prev_hash does not match the previous event');
        const { id: _id, hash, mac, ...fields } = event;
        if (chainHash(fields) !== hash) return broken('content does not match its hash (edited)');
        if (mac === null) {
          if (!options.allowUnsignedPrefix) return broken('the event has no MAC');
          if (unsigned < checked) return broken('no MAC after signed events (rewritten or removed)');
          unsigned += 1;
        } else if (!macMatches(hash, mac, this.config.auditHmacKey)) {
          return broken(
            'MAC does not verify: rewritten with database rights, or AUDIT_HMAC_KEY is not the key that wrote it',
          );
        }
        prevHash = hash;
        expectedSeq += 1;
        checked += 1;
      }
      if (batch.length < VERIFY_BATCH) return { ok: true, checked, unsigned };
    }
  }
}
