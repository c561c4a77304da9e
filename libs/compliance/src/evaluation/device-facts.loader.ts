import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import type { ApplicablePolicy, DeliveryFact, DeviceFacts } from '../rules/compliance-facts.js';
import { APPLICABLE_POLICIES_SQL, appInstalledReports } from './compliance-sql.js';

export interface LoadedFacts {
  deviceId: string;
  facts: DeviceFacts;
  policies: ApplicablePolicy[];
}

/** Reads what the rules need about a few devices: four queries, whatever the number of devices. */
@Injectable()
export class DeviceFactsLoader {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async load(
    manager: EntityManager,
    tenantId: string,
    deviceIds: string[],
    now: Date,
  ): Promise<LoadedFacts[]> {
    const devices: Array<Record<string, unknown>> = await manager.query(
      `SELECT d.id, d.platform, d.status, d.is_supervised,
              CASE WHEN d.platform = 'android' THEN d.last_status_report_at ELSE d.last_seen_at END AS last_seen_at,
              c.apps_reported_at,
              c.profiles_reported_at, c.inventory_failed_at, c.inventory_error
         FROM devices d LEFT JOIN device_compliance c ON c.device_id = d.id
        WHERE d.tenant_id = $1 AND d.id = ANY($2::uuid[]) AND d.status <> 'unenrolled'`,
      [tenantId, deviceIds],
    );
    if (devices.length === 0) return [];
    const ids = devices.map((d) => String(d.id));
    const [apps, profiles, policies] = await Promise.all([
      manager.query(
        `SELECT device_id, identifier, name FROM device_apps
          WHERE tenant_id = $1 AND device_id = ANY($2::uuid[]) AND state IS DISTINCT FROM 'REMOVED'
         UNION ALL ${appInstalledReports('$1', '$2')}`,
        [tenantId, ids],
      ) as Promise<Array<{ device_id: string; identifier: string; name: string | null }>>,
      manager.query(
        'SELECT device_id, identifier, uuid FROM device_profiles WHERE tenant_id = $1 AND device_id = ANY($2::uuid[])',
        [tenantId, ids],
      ) as Promise<Array<{ device_id: string; identifier: string; uuid: string | null }>>,
      manager.query(APPLICABLE_POLICIES_SQL, [
        tenantId,
        this.config.COMPLIANCE_FRESHNESS_SECONDS,
        ids,
        now,
      ]) as Promise<PolicyRow[]>,
    ]);
    return devices.map((d) => {
      const id = String(d.id);
      const facts: DeviceFacts = {
        platform: d.platform as DeviceFacts['platform'],
        enrolled: d.status === 'enrolled',
        supervised: (d.is_supervised as boolean | null) ?? null,
        lastSeenAt: asDate(d.last_seen_at),
        inventory: {
          appsReportedAt: asDate(d.apps_reported_at),
          profilesReportedAt: asDate(d.profiles_reported_at),
          failedAt: asDate(d.inventory_failed_at),
          error: (d.inventory_error as string | null) ?? null,
        },
        installedApps: apps
          .filter((a) => a.device_id === id)
          .map((a) => ({ identifier: a.identifier, name: a.name })),
        installedProfiles: profiles
          .filter((p) => p.device_id === id)
          .map((p) => ({ identifier: p.identifier, uuid: p.uuid })),
      };
      return {
        deviceId: id,
        facts,
        policies: policies.filter((p) => p.device_id === id).map(toPolicy),
      };
    });
  }
}

interface PolicyRow {
  device_id: string;
  slug: string;
  version: number;
  mode: 'blocklist' | 'allowlist';
  blocked: string[];
  allowed: string[];
  profile_identifier: string | null;
  profile_uuid: string | null;
  delivery: DeliveryFact;
  applied: boolean | null;
}

function toPolicy(row: PolicyRow): ApplicablePolicy {
  return {
    slug: row.slug,
    version: row.version,
    mode: row.mode,
    blocked: row.blocked,
    allowed: row.allowed,
    profile:
      row.profile_identifier && row.profile_uuid
        ? { identifier: row.profile_identifier, uuid: row.profile_uuid }
        : null,
    delivery: row.delivery,
    applied: row.applied,
  };
}

function asDate(value: unknown): Date | null {
  return value === null || value === undefined ? null : new Date(value as string | Date);
}
