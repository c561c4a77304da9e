import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { BanSpec } from '#libs/ban-spec';
import { CatalogService } from '#libs/catalog';
import { PoliciesService } from '../policies/policies.service.js';

export interface ImpactApp {
  platform: 'ios' | 'android';
  identifier: string;
  /** The catalog app, when the catalog knows the identifier. */
  app: string | null;
  name: string | null;
  devices: number;
  groups: number;
  unsupervisedIphones: number;
}

export interface PolicyImpact {
  policy: string;
  currentVersion: number | null;
  nextVersion: number;
  mode: BanSpec['mode'];
  /** Identifiers the next version blocks that the current one does not (blocklist mode). */
  newlyBlocked: { ios: string[]; android: string[] };
  /** Enrolled devices of the policy's groups on which the next version would block an installed app. */
  devices: number;
  /** Of those, iPhones not supervised (or whose supervision is unknown): Apple will not enforce the block. */
  unsupervisedIphones: number;
  groups: Array<{ group: string; devices: number }>;
  apps: ImpactApp[];
}

interface Side {
  mode: BanSpec['mode'];
  ios: { blocked: string[]; allowed: string[] };
  android: { blocked: string[]; allowed: string[] };
  groupSlugs: string[];
}

/**
 * `GET /v1/policies/{slug}/impact`: from the inventories PostgreSQL holds, before publishing, where
 * the next version would newly block apps. An app is newly blocked on a device when the next version
 * blocks it there and the current version (if the device's group had it) did not.
 */
@Injectable()
export class PolicyImpactService {
  constructor(
    private readonly policies: PoliciesService,
    private readonly catalog: CatalogService,
    private readonly dataSource: DataSource,
  ) {}

  async impact(tenantId: string, slug: string): Promise<PolicyImpact> {
    const { policy, spec, latest } = await this.policies.draft(tenantId, slug);
    const next: Side = { ...spec, groupSlugs: (policy.groups ?? []).map((g) => g.slug) };
    const current: Side | null = latest
      ? { ...(latest.banSpec as unknown as BanSpec), groupSlugs: latest.groupSlugs }
      : null;
    const rows: Array<{
      platform: 'ios' | 'android' | null;
      identifier: string | null;
      group_slug: string | null;
      devices: number;
      groups: number;
      unsupervised: number;
    }> = await this.dataSource.query(
      `WITH hits AS (
         SELECT d.id, d.group_id, g.slug AS group_slug, d.platform, da.identifier,
                d.platform = 'ios' AND d.is_supervised IS DISTINCT FROM true AS unsupervised
           FROM devices d
           JOIN device_groups g ON g.id = d.group_id AND g.slug = ANY($2::text[])
           JOIN device_apps da ON da.device_id = d.id AND da.state IS DISTINCT FROM 'REMOVED'
          WHERE d.tenant_id = $1 AND d.status = 'enrolled'
            AND ${blocks('$3', '$4', '$5', '$6', '$7')}
            AND NOT (g.slug = ANY($8::text[]) AND ${blocks('$9', '$10', '$11', '$12', '$13')})
       )
       SELECT platform, identifier, group_slug, count(DISTINCT id)::int AS devices,
              count(DISTINCT group_id)::int AS groups,
              count(DISTINCT id) FILTER (WHERE unsupervised)::int AS unsupervised
         FROM hits GROUP BY GROUPING SETS ((platform, identifier), (group_slug), ())`,
      [tenantId, next.groupSlugs, ...sideParams(next), current?.groupSlugs ?? [], ...sideParams(current)],
    );
    const total = rows.find((r) => r.identifier === null && r.group_slug === null);
    const appOf = (platform: string, id: string) =>
      platform === 'ios'
        ? this.catalog.catalog.appForBundleId(id)
        : this.catalog.catalog.appForPackageName(id);
    return {
      policy: policy.slug,
      currentVersion: latest?.version ?? null,
      nextVersion: policy.latestVersion + 1,
      mode: spec.mode,
      newlyBlocked: {
        ios: spec.ios.blocked.filter((id) => !current?.ios.blocked.includes(id)),
        android: spec.android.blocked.filter((id) => !current?.android.blocked.includes(id)),
      },
      devices: total?.devices ?? 0,
      unsupervisedIphones: total?.unsupervised ?? 0,
      groups: rows
        .filter((r) => r.group_slug !== null)
        .map((r) => ({ group: r.group_slug!, devices: r.devices }))
        .sort((a, b) => b.devices - a.devices || a.group.localeCompare(b.group)),
      apps: rows
        .filter((r) => r.identifier !== null)
        .map((r) => {
          const app = appOf(r.platform!, r.identifier!);
          return {
            platform: r.platform!,
            identifier: r.identifier!,
            app: app?.slug ?? null,
            name: app?.name ?? null,
            devices: r.devices,
            groups: r.groups,
            unsupervisedIphones: r.unsupervised,
          };
        })
        .sort((a, b) => b.devices - a.devices || a.identifier.localeCompare(b.identifier)),
    };
  }
}

/** Whether a side (mode $m, per-platform blocked and allowed lists) blocks `da.identifier` on `d`'s platform. */
function blocks(
  mode: string,
  iosBlocked: string,
  iosAllowed: string,
  androidBlocked: string,
  androidAllowed: string,
) {
  return `(CASE WHEN ${mode}::text IS NULL THEN false
                WHEN ${mode}::text = 'allowlist'
                  THEN NOT (da.identifier = ANY(CASE WHEN d.platform = 'ios' THEN ${iosAllowed}::text[] ELSE ${androidAllowed}::text[] END))
                ELSE da.identifier = ANY(CASE WHEN d.platform = 'ios' THEN ${iosBlocked}::text[] ELSE ${androidBlocked}::text[] END)
           END)`;
}

function sideParams(side: Side | null): unknown[] {
  if (!side) return [null, [], [], [], []];
  return [side.mode, side.ios.blocked, side.ios.allowed, side.android.blocked, side.android.allowed];
}
