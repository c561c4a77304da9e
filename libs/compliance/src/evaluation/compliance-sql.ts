/*
 * The compliance rules of rules/evaluate-compliance.ts, set-based: one statement evaluates every
 * device of a tenant (or a list of devices), writes the statuses that changed and one history row
 * per status change. A test (test/compliance/sql-rules.int-spec.ts) runs both over the same devices
 * and expects the same verdicts.
 *
 * Parameters: $1 tenant id, $2 freshness window in seconds, $3 device ids (NULL: every device of the
 * tenant), $4 the evaluation time.
 */

/** Facts and applicable policies per device: CTEs shared by the SQL verdict and the facts loader. */
const FACTS = `
  cur AS (
    SELECT DISTINCT ON (v.policy_id)
           v.id AS version_id, v.policy_id, v.version, p.slug, v.ban_spec->>'mode' AS mode,
           ARRAY(SELECT jsonb_array_elements_text(v.ban_spec->'ios'->'blocked')) AS ios_blocked,
           ARRAY(SELECT jsonb_array_elements_text(v.ban_spec->'ios'->'allowed')) AS ios_allowed,
           ARRAY(SELECT jsonb_array_elements_text(v.ban_spec->'android'->'blocked')) AS android_blocked,
           ARRAY(SELECT jsonb_array_elements_text(v.ban_spec->'android'->'allowed')) AS android_allowed,
           r.profile_identifier, r.profile_uuid
      FROM policy_versions v
      JOIN policies p ON p.id = v.policy_id
      LEFT JOIN rollouts r ON r.policy_version_id = v.id
     WHERE v.tenant_id = $1 AND v.effective_at <= $4
     ORDER BY v.policy_id, v.version DESC
  ),
  applies AS (
    SELECT pg.group_id, c.* FROM policy_groups pg JOIN cur c ON c.policy_id = pg.policy_id
  ),
  targets AS (
    SELECT d.id AS device_id, d.tenant_id, d.group_id, d.platform, d.status = 'enrolled' AS enrolled,
           d.is_supervised, d.last_seen_at, c.apps_reported_at, c.profiles_reported_at,
           c.inventory_failed_at, c.inventory_error, c.status AS old_status,
           $4::timestamptz - make_interval(secs => $2) AS seen_after
      FROM devices d
      LEFT JOIN device_compliance c ON c.device_id = d.id
     WHERE d.tenant_id = $1 AND d.status <> 'unenrolled'
       AND ($3::uuid[] IS NULL OR d.id = ANY($3::uuid[]))
  ),
  dp AS (
    SELECT t.device_id, a.version_id, a.slug, a.version, a.mode,
           CASE WHEN t.platform = 'ios' THEN a.ios_blocked ELSE a.android_blocked END AS blocked,
           CASE WHEN t.platform = 'ios' THEN a.ios_allowed ELSE a.android_allowed END AS allowed,
           CASE WHEN t.platform = 'ios' THEN a.profile_identifier END AS profile_identifier,
           CASE WHEN t.platform = 'ios' THEN a.profile_uuid END AS profile_uuid,
           CASE WHEN dl.state IN ('pending', 'pushed', 'acknowledged') THEN 'in_flight'
                WHEN dl.state = 'verified' THEN 'done'
                WHEN dl.state = 'failed' THEN 'failed'
                ELSE 'none' END AS delivery
      FROM targets t
      JOIN applies a ON a.group_id = t.group_id
      LEFT JOIN deliveries dl ON dl.device_id = t.device_id AND dl.policy_version_id = a.version_id
  )`;

/** The applicable policies of the given devices, for the per-device evaluation in TypeScript. */
export const APPLICABLE_POLICIES_SQL = `WITH ${FACTS}
  SELECT device_id, slug, version, mode, blocked, allowed, profile_identifier, profile_uuid, delivery FROM dp`;

/** Every identifier any current policy blocks or allows: a cheap first filter over device_apps. */
const UNIVERSE = `
  universe AS (
    SELECT coalesce(array_agg(DISTINCT x), '{}') AS listed, bool_or(mode = 'allowlist') AS any_allowlist
      FROM cur, unnest(ios_blocked || ios_allowed || android_blocked || android_allowed) AS x
  ),
  apps AS (
    SELECT da.device_id, da.identifier, da.name
      FROM device_apps da
     WHERE da.tenant_id = $1
       AND ($3::uuid[] IS NULL OR da.device_id = ANY($3::uuid[]))
       AND (da.identifier = ANY((SELECT listed FROM universe)::text[]) OR coalesce((SELECT any_allowlist FROM universe), false))
  )`;

const VERDICT = `
  hits AS (
    SELECT dp.device_id, a.identifier, a.name, dp.slug, dp.version
      FROM apps a JOIN dp ON dp.device_id = a.device_id
     WHERE CASE WHEN dp.mode = 'allowlist' THEN NOT (a.identifier = ANY(dp.allowed))
                ELSE a.identifier = ANY(dp.blocked) END
  ),
  banned AS (
    SELECT device_id,
           jsonb_agg(jsonb_build_object('code', 'banned_app', 'app', identifier, 'name', name,
                                        'policy', slug, 'version', version)
                     ORDER BY identifier COLLATE "C", slug COLLATE "C", version) AS reasons,
           array_agg(DISTINCT identifier COLLATE "C" ORDER BY identifier COLLATE "C") AS apps
      FROM hits GROUP BY device_id
  ),
  approved AS (
    SELECT DISTINCT dp.device_id, dp.version_id
      FROM apps a JOIN dp ON dp.device_id = a.device_id
     WHERE a.identifier = ANY(dp.allowed)
  ),
  setup AS (
    SELECT dp.device_id,
           jsonb_agg(jsonb_build_object('code', CASE WHEN prof.identifier IS NULL THEN 'profile_missing'
                                                     ELSE 'profile_outdated' END,
                                        'policy', dp.slug, 'version', dp.version)
                     ORDER BY dp.slug COLLATE "C") AS reasons
      FROM dp
      LEFT JOIN device_profiles prof
        ON prof.device_id = dp.device_id AND prof.identifier = dp.profile_identifier
     WHERE dp.delivery <> 'in_flight' AND dp.profile_identifier IS NOT NULL
       AND (prof.identifier IS NULL OR upper(coalesce(prof.uuid, '')) <> upper(dp.profile_uuid))
     GROUP BY dp.device_id
  ),
  flight AS (
    SELECT device_id,
           jsonb_agg(jsonb_build_object('code', 'rollout_in_flight', 'policy', slug, 'version', version)
                     ORDER BY slug COLLATE "C") AS reasons
      FROM dp WHERE delivery = 'in_flight' GROUP BY device_id
  ),
  blocking AS (
    SELECT device_id, bool_or(mode = 'allowlist' OR cardinality(blocked) > 0) AS blocks
      FROM dp GROUP BY device_id
  ),
  warn AS (
    SELECT dp.device_id,
           jsonb_agg(jsonb_build_object('code', 'approved_app_missing', 'policy', dp.slug,
                                        'apps', to_jsonb(ARRAY(SELECT x FROM unnest(dp.allowed) AS x
                                                               ORDER BY x COLLATE "C")))
                     ORDER BY dp.slug COLLATE "C") AS warnings
      FROM dp
     WHERE dp.mode = 'blocklist' AND cardinality(dp.allowed) > 0
       AND NOT EXISTS (SELECT 1 FROM approved ap
                        WHERE ap.device_id = dp.device_id AND ap.version_id = dp.version_id)
     GROUP BY dp.device_id
  ),
  judged AS (
    SELECT t.*, b.reasons AS banned_reasons, coalesce(b.apps, '{}') AS banned_apps,
           s.reasons AS setup_reasons, f.reasons AS flight_reasons, w.warnings AS missing_approved,
           CASE
             WHEN NOT t.enrolled THEN 'not_enrolled'
             WHEN t.apps_reported_at IS NULL THEN 'no_inventory'
             WHEN t.last_seen_at IS NULL OR t.last_seen_at < t.seen_after THEN 'not_seen'
             WHEN b.device_id IS NOT NULL THEN 'banned_app'
             WHEN t.inventory_failed_at IS NOT NULL THEN 'inventory_failed'
             WHEN t.platform = 'ios' AND t.profiles_reported_at IS NULL THEN 'no_profile_list'
             WHEN t.platform = 'ios' AND t.is_supervised IS NULL THEN 'supervision_unknown'
             WHEN f.device_id IS NOT NULL THEN 'rollout_in_flight'
             WHEN s.device_id IS NOT NULL THEN 'setup'
             WHEN t.platform = 'ios' AND t.is_supervised = false AND coalesce(bl.blocks, false) THEN 'unsupervised'
             ELSE 'ok'
           END AS rule
      FROM targets t
      LEFT JOIN banned b ON b.device_id = t.device_id
      LEFT JOIN setup s ON s.device_id = t.device_id
      LEFT JOIN flight f ON f.device_id = t.device_id
      LEFT JOIN blocking bl ON bl.device_id = t.device_id
      LEFT JOIN warn w ON w.device_id = t.device_id
  ),
  verdict AS (
    SELECT device_id, tenant_id, group_id, platform, old_status, banned_apps,
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
 * Writes verdicts (the CTE `verdict`: device_id, tenant_id, group_id, platform, old_status, status,
 * reasons, warnings, banned_apps): rows whose status, reasons or warnings changed, and a history row
 * per status change. The statement returns one row per status change.
 */
const WRITE = `
  written AS (
    INSERT INTO device_compliance AS c
      (device_id, tenant_id, group_id, platform, status, reasons, warnings, banned_apps,
       status_since, non_compliant_since, evaluated_at)
    SELECT device_id, tenant_id, group_id, platform, status, reasons, warnings, banned_apps,
           $4, CASE WHEN status = 'non_compliant' THEN $4::timestamptz END, $4
      FROM verdict
    ON CONFLICT (device_id) DO UPDATE SET
      group_id = EXCLUDED.group_id, platform = EXCLUDED.platform, status = EXCLUDED.status,
      reasons = EXCLUDED.reasons, warnings = EXCLUDED.warnings, banned_apps = EXCLUDED.banned_apps,
      evaluated_at = EXCLUDED.evaluated_at,
      status_since = CASE WHEN c.status = EXCLUDED.status THEN c.status_since ELSE EXCLUDED.status_since END,
      non_compliant_since = CASE WHEN EXCLUDED.status <> 'non_compliant' THEN NULL
                                 WHEN c.status = 'non_compliant' THEN c.non_compliant_since
                                 ELSE EXCLUDED.non_compliant_since END
    WHERE (c.status, c.reasons, c.warnings, c.group_id)
          IS DISTINCT FROM (EXCLUDED.status, EXCLUDED.reasons, EXCLUDED.warnings, EXCLUDED.group_id)
    RETURNING c.device_id
  )
  INSERT INTO compliance_history (tenant_id, device_id, from_status, to_status, reasons, changed_at, event)
  SELECT v.tenant_id, v.device_id, v.old_status, v.status, v.reasons, $4,
         CASE WHEN v.status = 'non_compliant' THEN 'device.non_compliant'
              WHEN v.old_status = 'non_compliant' AND v.status = 'compliant' THEN 'device.compliant' END
    FROM verdict v JOIN written w ON w.device_id = v.device_id
   WHERE v.old_status IS DISTINCT FROM v.status
  RETURNING device_id, from_status, to_status`;

/** Evaluates and writes, all in PostgreSQL (the list-change and periodic path). */
export const EVALUATE_SQL = `WITH ${FACTS}, ${UNIVERSE}, ${VERDICT}, ${WRITE}`;

/** The verdicts only, written nowhere (the equivalence test compares them with the TypeScript rules). */
export const VERDICT_SQL = `WITH ${FACTS}, ${UNIVERSE}, ${VERDICT}
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
    SELECT t.device_id, t.tenant_id, t.group_id, t.platform, t.old_status,
           x.status, x.reasons, x.warnings, x.banned_apps
      FROM targets t JOIN computed x ON x.device_id = t.device_id
  ), ${WRITE}`;

/** Unenrolled devices leave the reports (their inventory is no longer anyone's concern). */
export const FORGET_UNENROLLED_SQL = `
  DELETE FROM device_compliance c USING devices d
   WHERE d.id = c.device_id AND c.tenant_id = $1 AND d.status = 'unenrolled'
     AND ($2::uuid[] IS NULL OR c.device_id = ANY($2::uuid[]))`;
