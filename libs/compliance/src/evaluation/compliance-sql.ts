/*
 * The compliance rules of rules/evaluate-compliance.ts, set-based: one statement evaluates every
 * device of a tenant (or a list of devices), writes the statuses that changed and one history row
 * per status change. A test (test/compliance/sql-rules.int-spec.ts) runs both over the same devices
 * and expects the same verdicts.
 *
 * Parameters: $1 tenant id, $2 freshness window in seconds, $3 device ids (NULL: every device of the
 * tenant), $4 the evaluation time.
 */

/** Devices of the tenant, or those listed in $3 when it is not NULL. */
const ANY_DEVICES = `($3::uuid[] IS NULL OR d.id = ANY($3::uuid[]))`;
/**
 * Only the devices listed in $3 (never NULL), found by primary key: the generic filter above made
 * the planner walk every device of each group and test it against the list, for each batch of an
 * Android sync (a time quadratic in the fleet). Materialized: a few thousand rows at most, which the
 * later joins read several times.
 */
const LISTED_DEVICES = `d.id IN (SELECT unnest($3::uuid[]))`;

/** Facts and applicable policies per device: CTEs shared by the SQL verdict and the facts loader. */
const facts = (devices: string, targets: 'MATERIALIZED' | 'NOT MATERIALIZED') => `
  cur AS (
    SELECT DISTINCT ON (v.policy_id)
           v.id AS version_id, v.policy_id, v.version, p.slug, v.ban_spec->>'mode' AS mode,
           ARRAY(SELECT jsonb_array_elements_text(v.ban_spec->'ios'->'blocked')) AS ios_blocked,
           ARRAY(SELECT jsonb_array_elements_text(v.ban_spec->'ios'->'allowed')) AS ios_allowed,
           ARRAY(SELECT jsonb_array_elements_text(v.ban_spec->'android'->'blocked')) AS android_blocked,
           ARRAY(SELECT jsonb_array_elements_text(v.ban_spec->'android'->'allowed')) AS android_allowed,
           r.profile_identifier, r.profile_uuid, r.id AS rollout_id
      FROM policy_versions v
      JOIN policies p ON p.id = v.policy_id
      LEFT JOIN rollouts r ON r.policy_version_id = v.id
     WHERE v.tenant_id = $1 AND v.effective_at <= $4
     ORDER BY v.policy_id, v.version DESC
  ),
  applies AS (
    SELECT pg.group_id, c.* FROM policy_groups pg JOIN cur c ON c.policy_id = pg.policy_id
  ),
  targets AS ${targets} (
    SELECT d.id AS device_id, d.tenant_id, d.group_id, d.platform, d.status = 'enrolled' AS enrolled,
           d.is_supervised, d.applied_policy_version,
           -- An Android phone is seen when it reports, not when a devices.list sync lists it.
           CASE WHEN d.platform = 'android' THEN d.last_status_report_at ELSE d.last_seen_at END AS last_seen_at,
           c.apps_reported_at, c.profiles_reported_at,
           c.inventory_failed_at, c.inventory_error, c.status AS old_status, c.reasons AS old_reasons,
           c.warnings AS old_warnings, c.group_id AS old_group_id, c.device_id IS NOT NULL AS has_row,
           $4::timestamptz - make_interval(secs => $2) AS seen_after
      FROM devices d
      LEFT JOIN device_compliance c ON c.device_id = d.id
     WHERE d.tenant_id = $1 AND d.status <> 'unenrolled' AND ${devices}
  )`;
const FACTS = facts(ANY_DEVICES, 'NOT MATERIALIZED');

/** The applicable policies of the given devices, for the per-device evaluation in TypeScript. */
export const APPLICABLE_POLICIES_SQL = `WITH ${FACTS}
  SELECT t.device_id, a.slug, a.version, a.mode,
         CASE WHEN t.platform = 'ios' THEN a.ios_blocked ELSE a.android_blocked END AS blocked,
         CASE WHEN t.platform = 'ios' THEN a.ios_allowed ELSE a.android_allowed END AS allowed,
         CASE WHEN t.platform = 'ios' THEN a.profile_identifier END AS profile_identifier,
         CASE WHEN t.platform = 'ios' THEN a.profile_uuid END AS profile_uuid,
         ${deliveryFact('dl.state')} AS delivery,
         ${androidApplied('t', 'pub')} AS applied
    FROM targets t
    JOIN applies a ON a.group_id = t.group_id
    LEFT JOIN deliveries dl ON dl.device_id = t.device_id AND dl.policy_version_id = a.version_id
    LEFT JOIN android_policy_publications pub ON pub.rollout_id = a.rollout_id AND pub.group_id = t.group_id`;

/**
 * Android: has the phone applied the AMAPI policy version that carries this policy version for its
 * group (android_policy_publications)? NULL when either side is not known yet.
 */
function androidApplied(target: string, publication: string): string {
  return `CASE WHEN ${target}.platform <> 'android' OR ${publication}.amapi_version IS NULL
                    OR ${target}.applied_policy_version IS NULL THEN NULL
               ELSE ${target}.applied_policy_version >= ${publication}.amapi_version END`;
}

/**
 * A JSON array of per-policy objects from `slug<US>...` items joined by <RS> (text aggregated per
 * device), sorted by policy slug in byte order. `fields` are jsonb_build_object arguments over `x`,
 * one item.
 */
function perPolicyJson(column: string, fields: string): string {
  return `CASE WHEN ${column} IS NULL THEN NULL
               WHEN strpos(${column}, E'\\x1e') = 0
                 THEN (SELECT jsonb_build_array(jsonb_build_object(${fields})) FROM (SELECT ${column} AS x) AS one)
               ELSE (SELECT jsonb_agg(jsonb_build_object(${fields}) ORDER BY x COLLATE "C")
                       FROM unnest(string_to_array(${column}, E'\\x1e')) AS x)
          END`;
}

function deliveryFact(state: string): string {
  return `CASE WHEN ${state} IN ('pending', 'pushed', 'acknowledged') THEN 'in_flight'
               WHEN ${state} = 'verified' THEN 'done' WHEN ${state} = 'failed' THEN 'failed'
               ELSE 'none' END`;
}

/**
 * Android: packages a status report names as APP_INSTALLED non-compliance and the app inventory
 * does not list (installed after the inventory, or reported without applicationReports).
 */
export function appInstalledReports(tenant = '$1', devices = '$3'): string {
  return `
    SELECT d.id AS device_id, x.detail->>'packageName' AS identifier, NULL::text AS name
      FROM devices d
     CROSS JOIN LATERAL jsonb_array_elements(
             CASE WHEN jsonb_typeof(d.non_compliance_details) = 'array' THEN d.non_compliance_details
                  ELSE '[]'::jsonb END) AS x(detail)
     WHERE d.tenant_id = ${tenant} AND d.platform = 'android'
       AND (${devices}::uuid[] IS NULL OR d.id = ANY(${devices}::uuid[]))
       AND x.detail->>'nonComplianceReason' = 'APP_INSTALLED' AND x.detail->>'packageName' IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM device_apps da
                        WHERE da.device_id = d.id AND da.identifier = x.detail->>'packageName'
                          AND da.state IS DISTINCT FROM 'REMOVED')`;
}

/*
 * The set-based rules. Built for a million devices: the ban lists become a small table joined by
 * hash (never an array scanned per row), device_apps is first cut down to listed identifiers, and
 * everything per (device, policy) is aggregated in one pass.
 */
const VERDICT = `
  rules AS MATERIALIZED (
    SELECT version_id, 'ios' AS platform, x AS identifier, 'blocked' AS kind FROM cur, unnest(ios_blocked) AS x
    UNION ALL SELECT version_id, 'ios', x, 'allowed' FROM cur, unnest(ios_allowed) AS x
    UNION ALL SELECT version_id, 'android', x, 'blocked' FROM cur, unnest(android_blocked) AS x
    UNION ALL SELECT version_id, 'android', x, 'allowed' FROM cur, unnest(android_allowed) AS x
  ),
  policy_terms AS MATERIALIZED (
    SELECT version_id, rollout_id, slug, version, mode, profile_identifier, profile_uuid,
           cardinality(ios_blocked) > 0 OR mode = 'allowlist' AS ios_blocks,
           cardinality(android_blocked) > 0 OR mode = 'allowlist' AS android_blocks,
           to_jsonb(ARRAY(SELECT x FROM unnest(ios_allowed) AS x ORDER BY x COLLATE "C")) AS ios_approved,
           to_jsonb(ARRAY(SELECT x FROM unnest(android_allowed) AS x ORDER BY x COLLATE "C")) AS android_approved
      FROM cur
  ),
  apps AS (
    SELECT da.device_id, da.identifier, da.name
      FROM device_apps da
     WHERE da.tenant_id = $1
       AND ($3::uuid[] IS NULL OR da.device_id = ANY($3::uuid[]))
       AND da.state IS DISTINCT FROM 'REMOVED'
       AND (da.identifier IN (SELECT identifier FROM rules)
            OR EXISTS (SELECT 1 FROM cur WHERE mode = 'allowlist'))
    UNION ALL
    ${appInstalledReports()}
  ),
  app_terms AS (
    SELECT a.device_id, a.identifier, a.name, ap.version_id, ap.slug, ap.version, ap.mode, r.kind
      FROM apps a
      JOIN targets t ON t.device_id = a.device_id
      JOIN applies ap ON ap.group_id = t.group_id
      LEFT JOIN rules r ON r.version_id = ap.version_id AND r.platform = t.platform AND r.identifier = a.identifier
  ),
  banned AS (
    SELECT device_id,
           jsonb_agg(jsonb_build_object('code', 'banned_app', 'app', identifier, 'name', name,
                                        'policy', slug, 'version', version)
                     ORDER BY identifier COLLATE "C", slug COLLATE "C", version) AS reasons,
           array_agg(DISTINCT identifier COLLATE "C" ORDER BY identifier COLLATE "C") AS apps
      FROM app_terms
     WHERE (mode = 'allowlist' AND kind IS DISTINCT FROM 'allowed') OR (mode <> 'allowlist' AND kind = 'blocked')
     GROUP BY device_id
  ),
  approved AS (
    SELECT DISTINCT device_id, version_id FROM app_terms WHERE kind = 'allowed'
  ),
  per_policy AS (
    SELECT t.device_id, pt.slug, pt.version, pt.mode,
           ${deliveryFact('dl.state')} AS delivery,
           CASE WHEN t.platform = 'ios' THEN pt.ios_blocks ELSE pt.android_blocks END AS blocks,
           CASE WHEN t.platform = 'ios' THEN pt.ios_approved ELSE pt.android_approved END AS approved_apps,
           ok.device_id IS NOT NULL AS has_approved,
           CASE WHEN t.platform = 'android'
                  THEN CASE WHEN ${androidApplied('t', 'pub')} = false THEN 'policy_not_applied' END
                WHEN pt.profile_identifier IS NULL THEN NULL
                WHEN prof.identifier IS NULL THEN 'profile_missing'
                WHEN upper(coalesce(prof.uuid, '')) <> upper(pt.profile_uuid) THEN 'profile_outdated'
           END AS setup
      FROM targets t
      JOIN applies ap ON ap.group_id = t.group_id
      JOIN policy_terms pt ON pt.version_id = ap.version_id
      LEFT JOIN deliveries dl ON dl.device_id = t.device_id AND dl.policy_version_id = ap.version_id
      LEFT JOIN device_profiles prof ON prof.device_id = t.device_id AND prof.identifier = pt.profile_identifier
      LEFT JOIN approved ok ON ok.device_id = t.device_id AND ok.version_id = ap.version_id
      LEFT JOIN android_policy_publications pub ON pub.rollout_id = pt.rollout_id AND pub.group_id = t.group_id
  ),
  -- jsonb_agg costs tens of microseconds per group, a million times over: per-policy facts are
  -- gathered as text (slugs cannot hold the separators) and turned into JSON afterwards, directly
  -- when a device has one policy, through a small sort when it has several.
  policy_facts_text AS (
    SELECT device_id,
           string_agg(slug || E'\x1f' || version || E'\x1f' || setup, E'\x1e')
             FILTER (WHERE setup IS NOT NULL AND delivery <> 'in_flight') AS setup_text,
           string_agg(slug || E'\x1f' || version, E'\x1e') FILTER (WHERE delivery = 'in_flight') AS flight_text,
           string_agg(slug || E'\x1f' || approved_apps::text, E'\x1e')
             FILTER (WHERE mode = 'blocklist' AND jsonb_array_length(approved_apps) > 0 AND NOT has_approved) AS warning_text,
           bool_or(blocks) AS blocks
      FROM per_policy GROUP BY device_id
  ),
  policy_facts AS (
    SELECT device_id, blocks,
           ${perPolicyJson('setup_text', "'code', split_part(x, E'\\x1f', 3), 'policy', split_part(x, E'\\x1f', 1), 'version', split_part(x, E'\\x1f', 2)::int")} AS setup_reasons,
           ${perPolicyJson('flight_text', "'code', 'rollout_in_flight', 'policy', split_part(x, E'\\x1f', 1), 'version', split_part(x, E'\\x1f', 2)::int")} AS flight_reasons,
           ${perPolicyJson('warning_text', "'code', 'approved_app_missing', 'policy', split_part(x, E'\\x1f', 1), 'apps', split_part(x, E'\\x1f', 2)::jsonb")} AS warnings
      FROM policy_facts_text
  ),
  judged AS (
    SELECT t.*, b.reasons AS banned_reasons, coalesce(b.apps, '{}') AS banned_apps,
           pf.setup_reasons, pf.flight_reasons, pf.warnings AS missing_approved,
           CASE
             WHEN NOT t.enrolled THEN 'not_enrolled'
             WHEN t.apps_reported_at IS NULL THEN 'no_inventory'
             WHEN t.last_seen_at IS NULL OR t.last_seen_at < t.seen_after THEN 'not_seen'
             WHEN b.device_id IS NOT NULL THEN 'banned_app'
             WHEN t.inventory_failed_at IS NOT NULL THEN 'inventory_failed'
             WHEN t.platform = 'ios' AND t.profiles_reported_at IS NULL THEN 'no_profile_list'
             WHEN t.platform = 'ios' AND t.is_supervised IS NULL THEN 'supervision_unknown'
             WHEN pf.flight_reasons IS NOT NULL THEN 'rollout_in_flight'
             WHEN pf.setup_reasons IS NOT NULL THEN 'setup'
             WHEN t.platform = 'ios' AND t.is_supervised = false AND coalesce(pf.blocks, false) THEN 'unsupervised'
             ELSE 'ok'
           END AS rule
      FROM targets t
      LEFT JOIN banned b ON b.device_id = t.device_id
      LEFT JOIN policy_facts pf ON pf.device_id = t.device_id
  ),
  verdict AS (
    SELECT device_id, tenant_id, group_id, platform, old_status, old_reasons, old_warnings, old_group_id,
           has_row, banned_apps,
           CASE rule
             WHEN 'not_enrolled' THEN 'unknown' WHEN 'no_inventory' THEN 'unknown'
             WHEN 'not_seen' THEN 'stale' WHEN 'banned_app' THEN 'non_compliant'
             WHEN 'inventory_failed' THEN 'unknown' WHEN 'no_profile_list' THEN 'unknown'
             WHEN 'supervision_unknown' THEN 'unknown' WHEN 'rollout_in_flight' THEN 'pending'
             WHEN 'setup' THEN 'non_compliant' WHEN 'unsupervised' THEN 'unenforceable'
             ELSE 'compliant'
           END AS status,
           CASE rule
             WHEN 'not_enrolled' THEN '[{"code": "not_enrolled"}]'::jsonb
             WHEN 'no_inventory' THEN '[{"code": "no_inventory"}]'::jsonb
             WHEN 'not_seen' THEN jsonb_build_array(jsonb_build_object('code', 'not_seen', 'detail',
               coalesce(to_char(last_seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'never')))
             WHEN 'banned_app' THEN banned_reasons || coalesce(setup_reasons, '[]'::jsonb)
             WHEN 'inventory_failed' THEN jsonb_build_array(jsonb_build_object('code', 'inventory_failed',
               'detail', coalesce(inventory_error, 'an inventory command failed')))
             WHEN 'no_profile_list' THEN '[{"code": "inventory_partial", "detail": "no profile list yet"}]'::jsonb
             WHEN 'supervision_unknown' THEN '[{"code": "inventory_partial", "detail": "supervision not reported yet"}]'::jsonb
             WHEN 'rollout_in_flight' THEN flight_reasons
             WHEN 'setup' THEN setup_reasons
             WHEN 'unsupervised' THEN '[{"code": "unsupervised"}]'::jsonb
             ELSE '[]'::jsonb
           END AS reasons,
           CASE WHEN enrolled AND apps_reported_at IS NOT NULL THEN coalesce(missing_approved, '[]'::jsonb)
                ELSE '[]'::jsonb END AS warnings
      FROM judged
  )`;

/**
 * Writes verdicts (the CTE `verdict`: device_id, tenant_id, group_id, platform, old_* and has_row
 * from targets, status, reasons, warnings, banned_apps): an UPDATE joined by hash for the rows whose
 * status, reasons or warnings changed (cheaper over a fleet than INSERT ... ON CONFLICT, which probes
 * row by row), an INSERT for devices seen the first time, and a history row per status change. The
 * statement returns one row per status change.
 */
const WRITE = `
  updated AS (
    UPDATE device_compliance c
       SET group_id = v.group_id, platform = v.platform, status = v.status, reasons = v.reasons,
           warnings = v.warnings, banned_apps = v.banned_apps, evaluated_at = $4,
           status_since = CASE WHEN c.status = v.status THEN c.status_since ELSE $4 END,
           non_compliant_since = CASE WHEN v.status <> 'non_compliant' THEN NULL
                                      WHEN c.status = 'non_compliant' THEN c.non_compliant_since
                                      ELSE $4 END
      FROM verdict v
     WHERE c.device_id = v.device_id AND v.has_row
       AND (v.old_status, v.old_reasons, v.old_warnings, v.old_group_id)
           IS DISTINCT FROM (v.status, v.reasons, v.warnings, v.group_id)
  ),
  inserted AS (
    INSERT INTO device_compliance
      (device_id, tenant_id, group_id, platform, status, reasons, warnings, banned_apps,
       status_since, non_compliant_since, evaluated_at)
    SELECT device_id, tenant_id, group_id, platform, status, reasons, warnings, banned_apps,
           $4, CASE WHEN status = 'non_compliant' THEN $4::timestamptz END, $4
      FROM verdict WHERE NOT has_row
    -- A report that recorded facts meanwhile wins; the next evaluation of the device catches up.
    ON CONFLICT (device_id) DO NOTHING
  )
  INSERT INTO compliance_history (tenant_id, device_id, from_status, to_status, reasons, changed_at, event)
  SELECT v.tenant_id, v.device_id, v.old_status, v.status, v.reasons, $4,
         CASE WHEN v.status = 'non_compliant' THEN 'device.non_compliant'
              WHEN v.old_status = 'non_compliant' AND v.status = 'compliant' THEN 'device.compliant' END
    FROM verdict v
   WHERE v.old_status IS DISTINCT FROM v.status
  RETURNING device_id, from_status, to_status`;

/** Evaluates and writes, all in PostgreSQL (the list-change and periodic path). */
export const EVALUATE_SQL = `WITH ${FACTS}, ${VERDICT}, ${WRITE}`;

/** EVALUATE_SQL for the devices listed in $3 (not NULL): a report, a sync batch, the sweep's chunks. */
export const EVALUATE_LISTED_SQL = `WITH ${facts(LISTED_DEVICES, 'MATERIALIZED')}, ${VERDICT}, ${WRITE}`;

/** The verdicts only, written nowhere (the equivalence test compares them with the TypeScript rules). */
export const VERDICT_SQL = `WITH ${FACTS}, ${VERDICT}
  SELECT device_id, status, reasons, warnings, banned_apps FROM verdict`;

/**
 * Writes verdicts computed in TypeScript. $5: JSON array of {device_id, status, reasons, warnings,
 * banned_apps}; $3 must list the same devices.
 */
export const WRITE_VERDICTS_SQL = `WITH ${FACTS},
  computed AS (
    SELECT * FROM jsonb_to_recordset($5::jsonb)
      AS x(device_id uuid, status text, reasons jsonb, warnings jsonb, banned_apps text[])
  ),
  verdict AS (
    SELECT t.device_id, t.tenant_id, t.group_id, t.platform, t.old_status, t.old_reasons, t.old_warnings,
           t.old_group_id, t.has_row, x.status, x.reasons, x.warnings, x.banned_apps
      FROM targets t JOIN computed x ON x.device_id = t.device_id
  ), ${WRITE}`;

/** Unenrolled devices leave the reports (their inventory is no longer anyone's concern). */
export const FORGET_UNENROLLED_SQL = `
  DELETE FROM device_compliance c USING devices d
   WHERE d.id = c.device_id AND c.tenant_id = $1 AND d.status = 'unenrolled'
     AND ($2::uuid[] IS NULL OR c.device_id = ANY($2::uuid[]))`;
