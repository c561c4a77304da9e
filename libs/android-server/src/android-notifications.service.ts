import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import {
  DeviceReportError,
  enterpriseOf,
  NotificationError,
  parsePubsubPush,
  toDeviceReport,
  type AndroidNotification,
} from '#libs/android';
import { AndroidNotificationEntity } from '#libs/persistence';
import { DomainException } from '#libs/platform';
import { AndroidDevicesService } from './android-devices.service.js';
import { AndroidEnterpriseService } from './android-enterprise.service.js';

export type NotificationOutcome =
  'applied' | 'stale' | 'duplicate' | 'ignored' | 'unknown-enterprise' | 'unmatched';

/**
 * AMAPI Pub/Sub notifications. Delivery is at-least-once: a message id seen before is acknowledged
 * without work, and applying a report is idempotent anyway (an older report changes nothing), so a
 * redelivery racing the first delivery is harmless too.
 */
@Injectable()
export class AndroidNotificationsService {
  private readonly logger = new Logger(AndroidNotificationsService.name);

  constructor(
    @InjectRepository(AndroidNotificationEntity) private readonly seen: Repository<AndroidNotificationEntity>,
    private readonly enterprises: AndroidEnterpriseService,
    private readonly devices: AndroidDevicesService,
  ) {}

  async handle(body: unknown): Promise<{ outcome: NotificationOutcome; type: string; messageId: string }> {
    let notification: AndroidNotification;
    try {
      notification = parsePubsubPush(body);
    } catch (error) {
      if (error instanceof NotificationError) throw new DomainException(error.code, error.message, 400);
      throw error;
    }
    const { type, messageId } = notification;
    if (await this.seen.exists({ where: { messageId } })) return { outcome: 'duplicate', type, messageId };
    const { outcome, tenantId } = await this.apply(notification);
    await this.seen.createQueryBuilder().insert().values({ messageId, tenantId, type }).orIgnore().execute();
    const level = outcome === 'applied' || outcome === 'stale' ? 'debug' : 'log';
    this.logger[level]({ messageId, type, outcome, tenantId }, `Android notification ${type}: ${outcome}`);
    return { outcome, type, messageId };
  }

  private async apply(
    notification: AndroidNotification,
  ): Promise<{ outcome: NotificationOutcome; tenantId: string | null }> {
    if (notification.kind === 'ignored') return { outcome: 'ignored', tenantId: null };
    if (notification.kind === 'command') {
      // Rempart issues no device commands yet: the operation is only recorded as seen.
      const bound = await this.enterprises.byEnterpriseName(
        enterpriseOf(notification.operation.name ?? '') ?? '',
      );
      return {
        outcome: bound ? 'ignored' : 'unknown-enterprise',
        tenantId: bound?.enterprise.tenantId ?? null,
      };
    }
    let report;
    try {
      report = toDeviceReport(notification.device);
    } catch (error) {
      if (error instanceof DeviceReportError)
        throw new DomainException('MALFORMED_DATA', `message.data: ${error.message}`, 400);
      throw error;
    }
    const bound = await this.enterprises.byEnterpriseName(report.enterpriseName);
    if (!bound) return { outcome: 'unknown-enterprise', tenantId: null };
    const result = await this.devices.applyReports(bound.enterprise, [report]);
    await this.devices.deleteUsedUpTokens(bound.enterprise.tenantId, result.usedUpTokens);
    const outcome: NotificationOutcome = result.unmatched
      ? 'unmatched'
      : result.written
        ? 'applied'
        : 'stale';
    return { outcome, tenantId: bound.enterprise.tenantId };
  }
}
