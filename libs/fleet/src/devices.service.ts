import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository, type FindOptionsWhere } from 'typeorm';
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

/** A policy version a phone has installed (its delivery acknowledged or verified). */
export interface InstalledPolicyVersion {
  policy: string;
  version: number;
  /** acknowledged: the phone said it installed it; verified: a later report shows it installed. */
  state: 'acknowledged' | 'verified';
  since: Date;
}

export interface DevicePlacement {
  group: string;
  /** Per policy, the latest version installed; empty until one is. */
  installedPolicies: InstalledPolicyVersion[];
}

/** Enrolled phones and what they last reported. */
@Injectable()
export class DevicesService {
  constructor(
    private readonly devices: DeviceRepository,
    private readonly groups: GroupsService,
    @InjectRepository(DeviceAppEntity) private readonly apps: Repository<DeviceAppEntity>,
    @InjectRepository(DeviceProfileEntity) private readonly profiles: Repository<DeviceProfileEntity>,
    private readonly dataSource: DataSource,
  ) {}

  async list(tenantId: string, filter: DeviceFilter) {
    const where: FindOptionsWhere<DeviceEntity> = {};
    if (filter.group) where.groupId = (await this.groups.getReferenced(tenantId, filter.group, 'group')).id;
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

  /** The group of each device and, per policy, the latest version it has installed. */
  async placements(tenantId: string, devices: DeviceEntity[]): Promise<Map<string, DevicePlacement>> {
    if (devices.length === 0) return new Map();
    const ids = devices.map((d) => d.id);
    const [groups, installed] = await Promise.all([
      this.dataSource.query(
        `SELECT d.id, g.slug FROM devices d JOIN device_groups g ON g.id = d.group_id
          WHERE d.tenant_id = $1 AND d.id = ANY($2::uuid[])`,
        [tenantId, ids],
      ) as Promise<Array<{ id: string; slug: string }>>,
      this.dataSource.query(
        `SELECT DISTINCT ON (dl.device_id, v.policy_id)
                dl.device_id, p.slug AS policy, v.version, dl.state,
                COALESCE(dl.verified_at, dl.acknowledged_at, dl.updated_at) AS since
           FROM deliveries dl
           JOIN policy_versions v ON v.id = dl.policy_version_id
           JOIN policies p ON p.id = v.policy_id
          WHERE dl.tenant_id = $1 AND dl.device_id = ANY($2::uuid[])
            AND dl.state IN ('acknowledged', 'verified')
          ORDER BY dl.device_id, v.policy_id, v.version DESC`,
        [tenantId, ids],
      ) as Promise<
        Array<{
          device_id: string;
          policy: string;
          version: number;
          state: 'acknowledged' | 'verified';
          since: Date;
        }>
      >,
    ]);
    const placements = new Map<string, DevicePlacement>(
      groups.map((row) => [row.id, { group: row.slug, installedPolicies: [] }]),
    );
    for (const row of installed) {
      placements.get(row.device_id)?.installedPolicies.push({
        policy: row.policy,
        version: Number(row.version),
        state: row.state,
        since: new Date(row.since),
      });
    }
    for (const placement of placements.values())
      placement.installedPolicies.sort((a, b) => (a.policy < b.policy ? -1 : a.policy > b.policy ? 1 : 0));
    return placements;
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
