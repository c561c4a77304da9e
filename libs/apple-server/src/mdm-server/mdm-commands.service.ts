import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, Repository, type EntityManager } from 'typeorm';
import { type Actor, AuditService } from '#libs/audit';
import { MdmCommandEntity, TenantScopedRepository, type MdmCommandStatus } from '#libs/persistence';

@Injectable()
export class MdmCommandRepository extends TenantScopedRepository<MdmCommandEntity> {
  constructor(@InjectRepository(MdmCommandEntity) repository: Repository<MdmCommandEntity>) {
    super(repository);
  }
}

/** The commands Rempart queues; see AppleMdmService.commandRequest for what each carries. */
export type QueueableRequestType =
  | 'InstallProfile'
  | 'RemoveProfile'
  | 'ProfileList'
  | 'InstalledApplicationList'
  | 'DeviceInformation'
  | 'SecurityInfo'
  | 'Restrictions'
  | 'DeviceConfigured';

export interface NewCommand {
  requestType: QueueableRequestType;
  params?: Record<string, unknown>;
}

const OPEN: MdmCommandStatus[] = ['queued', 'sent'];

/**
 * The per-device Apple command queue, in PostgreSQL. A phone pulls its next command when it checks
 * in; a command answered NotNow waits until the phone's next Idle and then comes after the others.
 */
@Injectable()
export class MdmCommandsService {
  constructor(
    private readonly commands: MdmCommandRepository,
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** An officer's on-demand command, audited in the same transaction. Returns its CommandUUID. */
  async queueByOfficer(
    actor: Actor,
    device: { id: string; udid: string },
    command: NewCommand,
  ): Promise<string> {
    return this.dataSource.transaction(async (manager) => {
      const [commandUuid] = await this.queue(actor.tenantId, device.id, [command], actor.label, manager);
      await this.audit.record(manager, actor, {
        action: 'device.command.queue',
        targetType: 'device',
        targetId: device.udid,
        after: { commandUuid: commandUuid.toUpperCase(), requestType: command.requestType },
      });
      return commandUuid;
    });
  }

  /** Queues commands for one device, in order; returns their CommandUUIDs. */
  async queue(
    tenantId: string,
    deviceId: string,
    commands: NewCommand[],
    queuedBy: string,
    manager?: EntityManager,
  ) {
    const now = Date.now();
    const rows = await this.commands.insertMany(
      tenantId,
      commands.map((command, i) => ({
        id: randomUUID(),
        deviceId,
        requestType: command.requestType,
        params: command.params ?? {},
        status: 'queued' as const,
        // Distinct timestamps keep the queue order of one batch.
        queuedAt: new Date(now + i),
        queuedBy,
      })),
      manager,
    );
    return rows.map((r) => r.id);
  }

  /**
   * The next command for a phone, marked sent. Commands sent but never answered are sent again;
   * those deferred (NotNow) since the phone's last Idle are skipped until then.
   */
  async next(
    manager: EntityManager,
    tenantId: string,
    deviceId: string,
    lastIdleAt: Date | null,
  ): Promise<MdmCommandEntity | null> {
    const row = await manager
      .getRepository(MdmCommandEntity)
      .createQueryBuilder('c')
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .where('c.tenant_id = :tenantId AND c.device_id = :deviceId', { tenantId, deviceId })
      .andWhere('c.status IN (:...open)', { open: OPEN })
      .andWhere('(c.deferred_at IS NULL OR c.deferred_at < :lastIdle)', {
        lastIdle: lastIdleAt ?? new Date(0),
      })
      .orderBy('c.deferred_at', 'ASC', 'NULLS FIRST')
      .addOrderBy('c.queued_at', 'ASC')
      .limit(1)
      .getOne();
    if (!row) return null;
    row.status = 'sent';
    row.sentAt = new Date();
    row.attempts += 1;
    await manager
      .getRepository(MdmCommandEntity)
      .update({ id: row.id }, { status: 'sent', sentAt: row.sentAt, attempts: row.attempts });
    return row;
  }

  /** The open command a result answers, or null if the phone answers something we did not send. */
  findOpen(manager: EntityManager, tenantId: string, deviceId: string, commandUuid: string) {
    return manager.getRepository(MdmCommandEntity).findOne({
      where: { tenantId, deviceId, id: commandUuid.toLowerCase(), status: In(OPEN) },
    });
  }

  async complete(
    manager: EntityManager,
    command: MdmCommandEntity,
    outcome: {
      status: 'acknowledged' | 'error' | 'command_format_error';
      errorChain?: object[];
      result?: object;
    },
  ) {
    await manager.getRepository(MdmCommandEntity).update(
      { id: command.id },
      {
        status: outcome.status,
        completedAt: new Date(),
        errorChain: outcome.errorChain ?? null,
        result: outcome.result ?? null,
      },
    );
  }

  async deferNotNow(manager: EntityManager, command: MdmCommandEntity) {
    await manager
      .getRepository(MdmCommandEntity)
      .update(
        { id: command.id },
        { status: 'queued', deferredAt: new Date(), notNowCount: command.notNowCount + 1 },
      );
  }

  /** CheckOut: nothing more will reach this phone. */
  async cancelOpen(manager: EntityManager, tenantId: string, deviceId: string): Promise<number> {
    const result = await manager
      .getRepository(MdmCommandEntity)
      .update({ tenantId, deviceId, status: In(OPEN) }, { status: 'cancelled', completedAt: new Date() });
    return result.affected ?? 0;
  }

  listForDevice(tenantId: string, deviceId: string): Promise<MdmCommandEntity[]> {
    return this.commands.find(tenantId, { deviceId }, { order: { queuedAt: 'DESC' }, take: 500 });
  }
}
