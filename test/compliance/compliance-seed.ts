import type { ApiHarness, SeededTenant } from '../support/api-harness.js';

/*
 * Devices with hand-made inventories, written straight into PostgreSQL (what the mdm process would
 * have recorded), so that rules can be checked on every combination without driving phones.
 */

export const WHATSAPP = 'net.whatsapp.WhatsApp';
export const OLVID = 'io.olvid.messenger';
export const ANDROID_WHATSAPP = 'com.whatsapp';

export interface SeededVersion {
  versionId: string;
  profileIdentifier: string;
  profileUuid: string;
}

/** A group, a policy on the French messaging lists for it, published (version 1, in effect now). */
export async function publishMessagingPolicy(
  api: ApiHarness,
  tenant: SeededTenant,
  group: string,
  policy = 'messageries',
): Promise<SeededVersion> {
  const as = { Authorization: `Bearer ${tenant.tokens.officer}` };
  await api.http().post('/v1/groups').set(as).send({ slug: group, name: group }).expect(201);
  await api
    .http()
    .post('/v1/policies')
    .set(as)
    .send({
      slug: policy,
      name: policy,
      groups: [group],
      blockLists: ['fr-gov-2023-messaging'],
      allowLists: ['fr-gov-2023-messaging-approved'],
    })
    .expect(201);
  await api.http().post(`/v1/policies/${policy}/versions`).set(as).expect(201);
  return latestVersion(api, tenant, policy);
}

export async function latestVersion(
  api: ApiHarness,
  tenant: SeededTenant,
  policy: string,
): Promise<SeededVersion> {
  const { rows } = await api.sql(
    `SELECT v.id, r.profile_identifier, r.profile_uuid FROM policy_versions v
       JOIN policies p ON p.id = v.policy_id JOIN rollouts r ON r.policy_version_id = v.id
      WHERE p.tenant_id = $1 AND p.slug = $2 ORDER BY v.version DESC LIMIT 1`,
    [tenant.id, policy],
  );
  return {
    versionId: rows[0].id,
    profileIdentifier: rows[0].profile_identifier,
    profileUuid: rows[0].profile_uuid,
  };
}

export interface DeviceSpec {
  group: string;
  platform?: 'ios' | 'android';
  status?: 'pending' | 'enrolled' | 'unenrolled';
  supervised?: boolean | null;
  lastSeenHoursAgo?: number | null;
  apps?: string[] | null;
  /** Profiles as [identifier, uuid]; null: no profile list yet. */
  profiles?: Array<[string, string]> | null;
  delivery?: { versionId: string; state: string } | null;
  inventoryError?: string | null;
  /** Android: apps the report lists as REMOVED. */
  removedApps?: string[];
  /** Android: nonComplianceDetails of the last report. */
  nonCompliance?: Array<{ nonComplianceReason: string; packageName?: string }>;
  /** Android: the AMAPI policy version the phone applied. */
  appliedPolicyVersion?: number | null;
}

/** Inserts one device and its inventory facts; returns its id. */
export async function seedDevice(api: ApiHarness, tenant: SeededTenant, spec: DeviceSpec): Promise<string> {
  const platform = spec.platform ?? 'ios';
  const seen = spec.lastSeenHoursAgo === undefined ? 1 : spec.lastSeenHoursAgo;
  const { rows } = await api.sql(
    `WITH seen AS (
       SELECT CASE WHEN $6::float8 IS NULL THEN NULL
                   ELSE date_trunc('milliseconds', now()) - make_interval(secs => $6::float8 * 3600) END AS at
     )
     INSERT INTO devices (tenant_id, platform, group_id, udid, status, is_supervised, last_seen_at,
                          last_status_report_at, non_compliance_details, applied_policy_version)
     SELECT $1, $2, g.id, gen_random_uuid()::text, $4, $5,
            -- An Android phone is listed by every sync (last_seen_at now) but seen when it reports.
            CASE WHEN $2 = 'android' THEN now() ELSE seen.at END,
            CASE WHEN $2 = 'android' THEN seen.at END, $7::jsonb, $8
       FROM device_groups g, seen WHERE g.tenant_id = $1 AND g.slug = $3
     RETURNING id, group_id`,
    [
      tenant.id,
      platform,
      spec.group,
      spec.status ?? 'enrolled',
      spec.supervised === undefined ? (platform === 'ios' ? true : null) : spec.supervised,
      seen,
      spec.nonCompliance ? JSON.stringify(spec.nonCompliance) : null,
      spec.appliedPolicyVersion ?? null,
    ],
  );
  const { id, group_id: groupId } = rows[0];
  const apps = spec.apps === undefined ? [OLVID] : spec.apps;
  const profiles = spec.profiles === undefined ? [] : spec.profiles;
  await api.sql(
    `INSERT INTO device_compliance (device_id, tenant_id, group_id, platform, apps_reported_at,
                                    profiles_reported_at, inventory_failed_at, inventory_error)
     VALUES ($1, $2, $3, $4, CASE WHEN $5 THEN now() END, CASE WHEN $6 THEN now() END,
             CASE WHEN $7::text IS NOT NULL THEN now() END, $7)`,
    [
      id,
      tenant.id,
      groupId,
      platform,
      apps !== null,
      profiles !== null && platform === 'ios',
      spec.inventoryError ?? null,
    ],
  );
  for (const app of apps ?? []) {
    await api.sql(
      `INSERT INTO device_apps (device_id, identifier, tenant_id, name, reported_at) VALUES ($1, $2, $3, $4, now())`,
      [id, app, tenant.id, app.split('.').pop()],
    );
  }
  for (const app of spec.removedApps ?? []) {
    await api.sql(
      `INSERT INTO device_apps (device_id, identifier, tenant_id, name, state, reported_at)
       VALUES ($1, $2, $3, $4, 'REMOVED', now())`,
      [id, app, tenant.id, app.split('.').pop()],
    );
  }
  for (const [identifier, uuid] of profiles ?? []) {
    await api.sql(
      `INSERT INTO device_profiles (device_id, identifier, tenant_id, uuid, reported_at) VALUES ($1, $2, $3, $4, now())`,
      [id, identifier, tenant.id, uuid],
    );
  }
  if (spec.delivery) {
    await api.sql(
      `INSERT INTO deliveries (tenant_id, rollout_id, device_id, policy_version_id, platform, state)
       SELECT $1, r.id, $2, $3, $4, $5 FROM rollouts r WHERE r.policy_version_id = $3`,
      [tenant.id, id, spec.delivery.versionId, platform, spec.delivery.state],
    );
  }
  return id;
}

/** Android: the AMAPI policy version that carries a policy version for a group (the rollout's Android leg). */
export async function seedAndroidPublication(
  api: ApiHarness,
  tenant: SeededTenant,
  version: SeededVersion,
  group: string,
  amapiVersion: number,
): Promise<void> {
  await api.sql(
    `INSERT INTO android_policy_publications (rollout_id, group_id, tenant_id, policy_name, amapi_version, published_at)
     SELECT r.id, g.id, $1, 'enterprises/LC0/policies/' || g.slug, $4, now()
       FROM rollouts r, device_groups g WHERE r.policy_version_id = $2 AND g.tenant_id = $1 AND g.slug = $3`,
    [tenant.id, version.versionId, group, amapiVersion],
  );
}
