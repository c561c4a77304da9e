import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Deliveries are updated in place (HOT): no index on a column a push, an acknowledgement or a
 * verification changes, and half of each page left free for the new row versions. The reconciler
 * finds overdue deliveries through their running rollouts (ix_deliveries_rollout_slice) instead of
 * the partial index on next_push_at. Rows already stored get the free space when the table is
 * next rewritten (VACUUM FULL); new rows get it at once.
 */
export class DeliveriesUpdatedInPlace1796144451357 implements MigrationInterface {
  name = 'DeliveriesUpdatedInPlace1796144451357';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_deliveries_due"`);
    await queryRunner.query(`DROP INDEX "public"."ix_deliveries_rollout_slice"`);
    await queryRunner.query(`CREATE INDEX "ix_deliveries_rollout_slice" ON "deliveries" ("rollout_id", "slice") `);
    await queryRunner.query(`ALTER TABLE "deliveries" SET (fillfactor = 50)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "deliveries" RESET (fillfactor)`);
    await queryRunner.query(`DROP INDEX "public"."ix_deliveries_rollout_slice"`);
    await queryRunner.query(`CREATE INDEX "ix_deliveries_rollout_slice" ON "deliveries" ("rollout_id", "slice", "state") `);
    await queryRunner.query(
      `CREATE INDEX "ix_deliveries_due" ON "deliveries" ("next_push_at") WHERE state IN ('pending', 'pushed', 'acknowledged')`,
    );
  }
}
