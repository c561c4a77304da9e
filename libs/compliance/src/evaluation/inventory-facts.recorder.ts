import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Platform } from '#libs/persistence';

/** The two halves of an inventory: the apps and (iPhones) the configuration profiles. */
export type InventoryKind = 'apps' | 'profiles';

export interface InventoryDevice {
  id: string;
  tenantId: string;
  groupId: string;
  platform: Platform;
}

const REQUEST_OF: Record<InventoryKind, string> = {
  apps: 'InstalledApplicationList',
  profiles: 'ProfileList',
};

/**
 * What the phone-facing side tells compliance about inventories, in the caller's transaction: a
 * complete answer, or a failed one (which keeps the device from being judged compliant until the
 * same kind of inventory succeeds).
 */
@Injectable()
export class InventoryFactsRecorder {
  async reported(
    manager: EntityManager,
    device: InventoryDevice,
    kind: InventoryKind,
    at: Date,
  ): Promise<void> {
    const column = kind === 'apps' ? 'apps_reported_at' : 'profiles_reported_at';
    await manager.query(
      `INSERT INTO device_compliance AS c (device_id, tenant_id, group_id, platform, ${column})
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (device_id) DO UPDATE SET ${column} = EXCLUDED.${column},
         inventory_failed_at = CASE WHEN c.inventory_error LIKE $6 || '%' THEN NULL ELSE c.inventory_failed_at END,
         inventory_error = CASE WHEN c.inventory_error LIKE $6 || '%' THEN NULL ELSE c.inventory_error END`,
      [device.id, device.tenantId, device.groupId, device.platform, at, REQUEST_OF[kind]],
    );
  }

  async failed(
    manager: EntityManager,
    device: InventoryDevice,
    kind: InventoryKind,
    error: string,
    at: Date,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO device_compliance AS c (device_id, tenant_id, group_id, platform, inventory_failed_at, inventory_error)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (device_id) DO UPDATE SET inventory_failed_at = EXCLUDED.inventory_failed_at,
         inventory_error = EXCLUDED.inventory_error`,
      [device.id, device.tenantId, device.groupId, device.platform, at, `${REQUEST_OF[kind]}: ${error}`],
    );
  }

  /** Many devices' complete inventories at once (an Android report batch or sync), set-based. */
  async reportedMany(
    manager: EntityManager,
    tenantId: string,
    deviceIds: string[],
    kind: InventoryKind,
    at: Date,
  ): Promise<void> {
    if (deviceIds.length === 0) return;
    const column = kind === 'apps' ? 'apps_reported_at' : 'profiles_reported_at';
    await manager.query(
      `INSERT INTO device_compliance AS c (device_id, tenant_id, group_id, platform, ${column})
       SELECT id, tenant_id, group_id, platform, $3 FROM devices WHERE tenant_id = $1 AND id = ANY($2::uuid[])
       ON CONFLICT (device_id) DO UPDATE SET ${column} = EXCLUDED.${column},
         inventory_failed_at = CASE WHEN c.inventory_error LIKE $4 || '%' THEN NULL ELSE c.inventory_failed_at END,
         inventory_error = CASE WHEN c.inventory_error LIKE $4 || '%' THEN NULL ELSE c.inventory_error END`,
      [tenantId, deviceIds, at, REQUEST_OF[kind]],
    );
  }
}
