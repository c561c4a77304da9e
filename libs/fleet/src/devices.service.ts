import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository, type FindOptionsWhere } from 'typeorm';
import {
  DeviceAppEntity,
  DeviceEntity,
  DeviceProfileEntity,
  TenantScopedRepository,
  type DeviceStatus,
  type Platform,
} from '#libs/persistence';
import { NotFoundDomainException } from '#libs/platform';
import { GroupsService } from './groups.service.js';

@Injectable()
export class DeviceRepository extends TenantScopedRepository<DeviceEntity> {
  constructor(@InjectRepository(DeviceEntity) repository: Repository<DeviceEntity>) {
    super(repository);
  }
}

export interface DeviceFilter {
  group?: string;
  platform?: Platform;
  status?: DeviceStatus;
  limit: number;
  offset: number;
}

/** Enrolled phones and what they last reported. */
@Injectable()
export class DevicesService {
  constructor(
    private readonly devices: DeviceRepository,
    private readonly groups: GroupsService,
    @InjectRepository(DeviceAppEntity) private readonly apps: Repository<DeviceAppEntity>,
    @InjectRepository(DeviceProfileEntity) private readonly profiles: Repository<DeviceProfileEntity>,
  ) {}

  async list(tenantId: string, filter: DeviceFilter) {
    const where: FindOptionsWhere<DeviceEntity> = {};
    if (filter.group) where.groupId = (await this.groups.getBySlug(tenantId, filter.group)).id;
    if (filter.platform) where.platform = filter.platform;
    if (filter.status) where.status = filter.status;
    return this.devices.find(tenantId, where, {
      order: { createdAt: 'ASC' },
      take: filter.limit,
      skip: filter.offset,
    });
  }

  async get(tenantId: string, udid: string): Promise<DeviceEntity> {
    const device = await this.devices.findOne(tenantId, { udid });
    if (!device) throw new NotFoundDomainException('device', udid);
    return device;
  }

  async inventory(tenantId: string, udid: string) {
    const device = await this.get(tenantId, udid);
    const [apps, profiles] = await Promise.all([
      this.apps.find({ where: { tenantId, deviceId: device.id }, order: { identifier: 'ASC' } }),
      this.profiles.find({ where: { tenantId, deviceId: device.id }, order: { identifier: 'ASC' } }),
    ]);
    return { device, apps, profiles };
  }
}
