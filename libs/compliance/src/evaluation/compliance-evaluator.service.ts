import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import type { ComplianceStatus } from '#libs/persistence';
import { evaluateCompliance } from '../rules/evaluate-compliance.js';
import type { Verdict } from '../rules/compliance-facts.js';
import {
  EVALUATE_LISTED_SQL,
  EVALUATE_SQL,
  FORGET_UNENROLLED_SQL,
  VERDICT_SQL,
  WRITE_VERDICTS_SQL,
} from './compliance-sql.js';
import { DeviceFactsLoader } from './device-facts.loader.js';

/** work_mem of the set-based evaluation's transaction (PostgreSQL's default is 4MB). */
const BULK_WORK_MEM = '128MB';

export interface StatusChange {
  deviceId: string;
  from: ComplianceStatus | null;
  to: ComplianceStatus;
}

/**
 * Turns facts into statuses and stores them. One device (a report came in) goes through the
 * TypeScript rules in the caller's transaction; a whole tenant (a list changed, time passed) is
 * evaluated in one SQL statement, never a row at a time.
 */
@Injectable()
export class ComplianceEvaluator {
  private readonly logger = new Logger(ComplianceEvaluator.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly facts: DeviceFactsLoader,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private get freshnessSeconds(): number {
    return this.config.COMPLIANCE_FRESHNESS_SECONDS;
  }

  /** Evaluates devices with the TypeScript rules and writes what changed, in the caller's transaction. */
  async evaluateDevices(
    manager: EntityManager,
    tenantId: string,
    deviceIds: string[],
    now = new Date(),
  ): Promise<StatusChange[]> {
    if (deviceIds.length === 0) return [];
    await manager.query(FORGET_UNENROLLED_SQL, [tenantId, deviceIds]);
    const loaded = await this.facts.load(manager, tenantId, deviceIds, now);
    const verdicts = loaded.map(({ deviceId, facts, policies }) => ({
      device_id: deviceId,
      ...toRow(evaluateCompliance(facts, policies, { now, freshnessSeconds: this.freshnessSeconds })),
    }));
    if (verdicts.length === 0) return [];
    const rows: ChangeRow[] = await manager.query(WRITE_VERDICTS_SQL, [
      tenantId,
      this.freshnessSeconds,
      deviceIds,
      now,
      JSON.stringify(verdicts),
    ]);
    return rows.map(toChange);
  }

  /**
   * Evaluates every device of the tenant (or the given ones) in PostgreSQL: after a list or policy
   * change, and periodically for devices turning stale.
   */
  async evaluateInDatabase(
    tenantId: string,
    deviceIds: string[] | null = null,
    now = new Date(),
    manager?: EntityManager,
  ): Promise<StatusChange[]> {
    const run = async (m: EntityManager) => {
      // One statement over the fleet: hash joins and aggregates fit in memory instead of spilling.
      await m.query(`SET LOCAL work_mem = '${BULK_WORK_MEM}'`);
      // Over a whole fleet, hash joins are the only sane plan; statistics that lag behind a bulk
      // insert (a rollout's 100,000 deliveries created just before, autovacuum not yet run or off)
      // made the planner expect a few rows and nest loops: minutes, quadratic in the fleet.
      if (deviceIds === null) await m.query('SET LOCAL enable_nestloop = off');
      // Nor is the statement compiled: on a whole fleet (nested loops priced out) as on each
      // Android sync batch, the JIT spent more CPU before the first row than it saved (seconds on
      // a loaded machine).
      await m.query('SET LOCAL jit = off');
      await m.query(FORGET_UNENROLLED_SQL, [tenantId, deviceIds]);
      const rows: ChangeRow[] = await m.query(deviceIds === null ? EVALUATE_SQL : EVALUATE_LISTED_SQL, [
        tenantId,
        this.freshnessSeconds,
        deviceIds,
        now,
      ]);
      return rows.map(toChange);
    };
    const changes = manager ? await run(manager) : await this.dataSource.transaction(run);
    if (changes.length > 0) {
      this.logger.log(
        { tenantId, devices: deviceIds?.length ?? 'all', changes: changes.length },
        'compliance re-evaluated',
      );
    }
    return changes;
  }

  /** The verdicts the SQL rules give, without writing them (tests compare them with the TypeScript rules). */
  async verdictsInDatabase(
    tenantId: string,
    deviceIds: string[] | null,
    now: Date,
  ): Promise<Map<string, Verdict>> {
    const rows: Array<{
      device_id: string;
      status: Verdict['status'];
      reasons: Verdict['reasons'];
      warnings: Verdict['warnings'];
      banned_apps: string[];
    }> = await this.dataSource.query(VERDICT_SQL, [tenantId, this.freshnessSeconds, deviceIds, now]);
    return new Map(
      rows.map((r) => [
        r.device_id,
        { status: r.status, reasons: r.reasons, warnings: r.warnings, bannedApps: r.banned_apps },
      ]),
    );
  }

  /** The TypeScript verdicts for the given devices, without writing them. */
  async verdicts(tenantId: string, deviceIds: string[], now: Date): Promise<Map<string, Verdict>> {
    const loaded = await this.facts.load(this.dataSource.manager, tenantId, deviceIds, now);
    return new Map(
      loaded.map(({ deviceId, facts, policies }) => [
        deviceId,
        evaluateCompliance(facts, policies, { now, freshnessSeconds: this.freshnessSeconds }),
      ]),
    );
  }
}

interface ChangeRow {
  device_id: string;
  from_status: ComplianceStatus | null;
  to_status: ComplianceStatus;
}

function toChange(row: ChangeRow): StatusChange {
  return { deviceId: row.device_id, from: row.from_status, to: row.to_status };
}

/** A verdict as the SQL writer reads it (JSON, snake_case, no undefined keys). */
function toRow(verdict: Verdict) {
  return {
    status: verdict.status,
    reasons: verdict.reasons.map(dropUndefined),
    warnings: verdict.warnings,
    banned_apps: verdict.bannedApps,
  };
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
