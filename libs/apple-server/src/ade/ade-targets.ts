import type { EntityManager } from 'typeorm';
import type { AdeAssignmentRule } from '#libs/persistence';

/**
 * Recomputes which group each not-yet-enrolled ABM device joins after the default group or the
 * rules changed: the default first, then the rules from last to first so that the first matching
 * rule wins (as AdeSyncService's resolver decides for new devices). Set-based: one statement per rule.
 */
export async function retargetDevices(
  manager: EntityManager,
  tenantId: string,
  defaultGroupId: string | null,
  rules: Array<AdeAssignmentRule & { groupId: string }>,
): Promise<void> {
  await manager.query(
    `UPDATE ade_devices SET target_group_id = $2 WHERE tenant_id = $1 AND device_id IS NULL`,
    [tenantId, defaultGroupId],
  );
  for (const rule of [...rules].reverse()) {
    await manager.query(
      `UPDATE ade_devices SET target_group_id = $2
       WHERE tenant_id = $1 AND device_id IS NULL
         AND (serial_number = ANY($3::text[]) OR ($4::text IS NOT NULL AND strpos(lower(description), lower($4)) > 0))`,
      [tenantId, rule.groupId, rule.serials ?? [], rule.descriptionContains ?? null],
    );
  }
}
