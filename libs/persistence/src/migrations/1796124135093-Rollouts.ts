import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Rollouts1796124135093 implements MigrationInterface {
  name = 'Rollouts1796124135093';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "rollouts" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "policy_id" uuid NOT NULL, "policy_version_id" uuid NOT NULL, "version" integer NOT NULL, "state" text NOT NULL DEFAULT 'scheduled', "starts_at" TIMESTAMP WITH TIME ZONE NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE, "profile_identifier" text NOT NULL, "profile_uuid" text NOT NULL, "created_by" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_835787271e5a8640da0b5d616f1" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_rollouts_state_starts" ON "rollouts"  ("state", "starts_at") `);
    await queryRunner.query(`CREATE INDEX "ix_rollouts_tenant_created" ON "rollouts"  ("tenant_id", "created_at") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_rollouts_policy_version" ON "rollouts"  ("policy_version_id") `);
    await queryRunner.query(`CREATE TABLE "deliveries" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "rollout_id" uuid NOT NULL, "device_id" uuid NOT NULL, "policy_version_id" uuid NOT NULL, "platform" text NOT NULL, "state" text NOT NULL DEFAULT 'pending', "reason" text, "command_id" uuid, "slice" integer NOT NULL DEFAULT '0', "push_count" integer NOT NULL DEFAULT '0', "last_pushed_at" TIMESTAMP WITH TIME ZONE, "next_push_at" TIMESTAMP WITH TIME ZONE, "acknowledged_at" TIMESTAMP WITH TIME ZONE, "verified_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a6ef225c5c5f0974e503bfb731f" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_deliveries_due" ON "deliveries"  ("next_push_at") WHERE state IN ('pending', 'pushed', 'acknowledged')`);
    await queryRunner.query(`CREATE INDEX "ix_deliveries_command" ON "deliveries"  ("command_id") `);
    await queryRunner.query(`CREATE INDEX "ix_deliveries_rollout_slice" ON "deliveries"  ("rollout_id", "slice", "state") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_deliveries_device_version" ON "deliveries"  ("device_id", "policy_version_id") `);
    await queryRunner.query(`ALTER TABLE "devices" ADD "push_token_invalid_at" TIMESTAMP WITH TIME ZONE`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "devices" DROP COLUMN "push_token_invalid_at"`);
    await queryRunner.query(`DROP INDEX "public"."uq_deliveries_device_version"`);
    await queryRunner.query(`DROP INDEX "public"."ix_deliveries_rollout_slice"`);
    await queryRunner.query(`DROP INDEX "public"."ix_deliveries_command"`);
    await queryRunner.query(`DROP INDEX "public"."ix_deliveries_due"`);
    await queryRunner.query(`DROP TABLE "deliveries"`);
    await queryRunner.query(`DROP INDEX "public"."uq_rollouts_policy_version"`);
    await queryRunner.query(`DROP INDEX "public"."ix_rollouts_tenant_created"`);
    await queryRunner.query(`DROP INDEX "public"."ix_rollouts_state_starts"`);
    await queryRunner.query(`DROP TABLE "rollouts"`);
  }
}
