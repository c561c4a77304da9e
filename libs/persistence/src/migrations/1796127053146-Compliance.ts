import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Compliance1796127053146 implements MigrationInterface {
  name = 'Compliance1796127053146';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "device_compliance" ("device_id" uuid NOT NULL, "tenant_id" uuid NOT NULL, "group_id" uuid NOT NULL, "platform" text NOT NULL, "status" text NOT NULL DEFAULT 'unknown', "reasons" jsonb NOT NULL DEFAULT '[]', "warnings" jsonb NOT NULL DEFAULT '[]', "banned_apps" text array NOT NULL DEFAULT '{}', "status_since" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "non_compliant_since" TIMESTAMP WITH TIME ZONE, "evaluated_at" TIMESTAMP WITH TIME ZONE, "apps_reported_at" TIMESTAMP WITH TIME ZONE, "profiles_reported_at" TIMESTAMP WITH TIME ZONE, "inventory_failed_at" TIMESTAMP WITH TIME ZONE, "inventory_error" text, CONSTRAINT "PK_26136635e65a7471b14ad5ff623" PRIMARY KEY ("device_id"))`);
    await queryRunner.query(`CREATE INDEX "ix_device_compliance_tenant_group_status" ON "device_compliance"  ("tenant_id", "group_id", "status") `);
    await queryRunner.query(`CREATE TABLE "compliance_history" ("id" BIGSERIAL NOT NULL, "tenant_id" uuid NOT NULL, "device_id" uuid NOT NULL, "from_status" text, "to_status" text NOT NULL, "reasons" jsonb NOT NULL DEFAULT '[]', "changed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "event" text, "dispatched_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_50021666c6e2b4a60cd56e71e89" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_compliance_history_undispatched" ON "compliance_history"  ("id") WHERE event IS NOT NULL AND dispatched_at IS NULL`);
    await queryRunner.query(`CREATE INDEX "ix_compliance_history_device" ON "compliance_history"  ("tenant_id", "device_id", "changed_at") `);
    await queryRunner.query(`CREATE TABLE "compliance_snapshots" ("tenant_id" uuid NOT NULL, "day" date NOT NULL, "status" text NOT NULL, "devices" integer NOT NULL, "taken_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_8b2a0b1b61cbb2e7c5577daf15a" PRIMARY KEY ("tenant_id", "day", "status"))`);
    await queryRunner.query(`CREATE TABLE "webhooks" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "url" text NOT NULL, "description" text, "events" text array NOT NULL, "secret_encrypted" text NOT NULL, "created_by" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "deleted_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_9e8795cfc899ab7bdaa831e8527" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_webhooks_tenant" ON "webhooks"  ("tenant_id") `);
    await queryRunner.query(`CREATE TABLE "webhook_deliveries" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "webhook_id" uuid NOT NULL, "history_id" bigint NOT NULL, "event" text NOT NULL, "body" text NOT NULL, "state" text NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT '0', "last_status_code" integer, "last_error" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "delivered_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_535dd409947fb6d8fc6dfc0112a" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_webhook_deliveries_pending" ON "webhook_deliveries"  ("updated_at") WHERE state = 'pending'`);
    await queryRunner.query(`CREATE INDEX "ix_webhook_deliveries_webhook_created" ON "webhook_deliveries"  ("webhook_id", "created_at") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_webhook_deliveries_event" ON "webhook_deliveries"  ("webhook_id", "history_id") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."uq_webhook_deliveries_event"`);
    await queryRunner.query(`DROP INDEX "public"."ix_webhook_deliveries_webhook_created"`);
    await queryRunner.query(`DROP INDEX "public"."ix_webhook_deliveries_pending"`);
    await queryRunner.query(`DROP TABLE "webhook_deliveries"`);
    await queryRunner.query(`DROP INDEX "public"."ix_webhooks_tenant"`);
    await queryRunner.query(`DROP TABLE "webhooks"`);
    await queryRunner.query(`DROP TABLE "compliance_snapshots"`);
    await queryRunner.query(`DROP INDEX "public"."ix_compliance_history_device"`);
    await queryRunner.query(`DROP INDEX "public"."ix_compliance_history_undispatched"`);
    await queryRunner.query(`DROP TABLE "compliance_history"`);
    await queryRunner.query(`DROP INDEX "public"."ix_device_compliance_tenant_group_status"`);
    await queryRunner.query(`DROP TABLE "device_compliance"`);
  }
}
