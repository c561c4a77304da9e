import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AdeAssignmentStatus } from '#libs/persistence';

export interface AdeDeviceView {
  serialNumber: string;
  model: string | null;
  description: string | null;
  os: string | null;
  /** Apple's profile status (empty, assigned, pushed, removed). */
  profileStatus: string | null;
  group: string | null;
  assignment: {
    status: AdeAssignmentStatus;
    lastResult: string | null;
    attempts: number;
    nextAttemptAt: Date | null;
    assignedAt: Date | null;
  };
  enrolledUdid: string | null;
}

/** The ABM devices of a tenant with their assignment state, paged by serial number. */
@Injectable()
export class AdeDevicesService {
  constructor(private readonly dataSource: DataSource) {}

  async list(
    tenantId: string,
    filter: { status?: AdeAssignmentStatus; after?: string; limit: number },
  ): Promise<{ devices: AdeDeviceView[]; nextCursor: string | null }> {
    const rows: Array<Record<string, never>> = await this.dataSource.query(
      `SELECT a.serial_number, a.model, a.description, a.os, a.profile_status, g.slug AS group_slug,
              a.assignment_status, a.last_assignment_result, a.assignment_attempts, a.next_attempt_at,
              a.assigned_at, d.udid
       FROM ade_devices a
       LEFT JOIN device_groups g ON g.id = a.target_group_id AND g.tenant_id = a.tenant_id
       LEFT JOIN devices d ON d.id = a.device_id AND d.tenant_id = a.tenant_id
       WHERE a.tenant_id = $1 AND ($2::text IS NULL OR a.assignment_status = $2) AND a.serial_number > $3
       ORDER BY a.serial_number LIMIT $4`,
      [tenantId, filter.status ?? null, filter.after ?? '', filter.limit + 1],
    );
    const page = rows.slice(0, filter.limit);
    return {
      devices: page.map((row) => ({
        serialNumber: row.serial_number,
        model: row.model,
        description: row.description,
        os: row.os,
        profileStatus: row.profile_status,
        group: row.group_slug,
        assignment: {
          status: row.assignment_status,
          lastResult: row.last_assignment_result,
          attempts: row.assignment_attempts,
          nextAttemptAt: row.next_attempt_at,
          assignedAt: row.assigned_at,
        },
        enrolledUdid: row.udid,
      })),
      nextCursor: rows.length > filter.limit ? page[page.length - 1].serial_number : null,
    };
  }
}
