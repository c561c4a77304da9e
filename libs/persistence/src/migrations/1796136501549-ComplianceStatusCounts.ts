import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Devices per (tenant, group, status), kept by the database itself so that the compliance summary
 * reads a few rows instead of counting a million. Statement-level triggers on device_compliance
 * append one delta row per key a statement changed (never an update of a shared row: concurrent
 * check-ins neither wait for each other nor deadlock); a key's count is the sum of its rows, and
 * the compliance sweep folds them back into one row per key.
 */
export class ComplianceStatusCounts1796136501549 implements MigrationInterface {
  name = 'ComplianceStatusCounts1796136501549';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "compliance_status_counts" ("tenant_id" uuid NOT NULL, "group_id" uuid NOT NULL, "status" text NOT NULL, "devices" bigint NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_compliance_status_counts_tenant" ON "compliance_status_counts" ("tenant_id", "group_id", "status")`,
    );
    await queryRunner.query(`CREATE FUNCTION "compliance_status_counts_track"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO compliance_status_counts (tenant_id, group_id, status, devices)
    SELECT tenant_id, group_id, status, count(*) FROM new_rows GROUP BY tenant_id, group_id, status;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO compliance_status_counts (tenant_id, group_id, status, devices)
    SELECT tenant_id, group_id, status, -count(*) FROM old_rows GROUP BY tenant_id, group_id, status;
  ELSE
    -- Only keys whose count moved: an update that keeps status and group appends nothing.
    INSERT INTO compliance_status_counts (tenant_id, group_id, status, devices)
    SELECT tenant_id, group_id, status, sum(delta)
      FROM (SELECT tenant_id, group_id, status, 1 AS delta FROM new_rows
            UNION ALL SELECT tenant_id, group_id, status, -1 FROM old_rows) AS moved
     GROUP BY tenant_id, group_id, status
    HAVING sum(delta) <> 0;
  END IF;
  RETURN NULL;
END $$`);
    await queryRunner.query(
      `CREATE TRIGGER "compliance_status_counts_insert" AFTER INSERT ON "device_compliance" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "compliance_status_counts_track"()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "compliance_status_counts_update" AFTER UPDATE ON "device_compliance" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "compliance_status_counts_track"()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "compliance_status_counts_delete" AFTER DELETE ON "device_compliance" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "compliance_status_counts_track"()`,
    );
    // TRUNCATE fires no transition-table trigger: the counts go with the rows.
    await queryRunner.query(`CREATE FUNCTION "compliance_status_counts_clear"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE compliance_status_counts;
  RETURN NULL;
END $$`);
    await queryRunner.query(
      `CREATE TRIGGER "compliance_status_counts_truncate" AFTER TRUNCATE ON "device_compliance" FOR EACH STATEMENT EXECUTE FUNCTION "compliance_status_counts_clear"()`,
    );
    await queryRunner.query(
      `INSERT INTO "compliance_status_counts" (tenant_id, group_id, status, devices)
       SELECT tenant_id, group_id, status, count(*) FROM device_compliance GROUP BY tenant_id, group_id, status`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "compliance_status_counts_truncate" ON "device_compliance"`);
    await queryRunner.query(`DROP TRIGGER "compliance_status_counts_delete" ON "device_compliance"`);
    await queryRunner.query(`DROP TRIGGER "compliance_status_counts_update" ON "device_compliance"`);
    await queryRunner.query(`DROP TRIGGER "compliance_status_counts_insert" ON "device_compliance"`);
    await queryRunner.query(`DROP FUNCTION "compliance_status_counts_clear"()`);
    await queryRunner.query(`DROP FUNCTION "compliance_status_counts_track"()`);
    await queryRunner.query(`DROP TABLE "compliance_status_counts"`);
  }
}
