import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Init1795817083357 implements MigrationInterface {
  name = 'Init1795817083357';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "tenants" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "slug" text NOT NULL, "name" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_2310ecc5cb8be427097154b18fc" UNIQUE ("slug"), CONSTRAINT "PK_53be67a04681c66b87ee27c9321" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TYPE "public"."officer_role" AS ENUM('admin', 'officer', 'auditor')`);
    await queryRunner.query(`CREATE TABLE "officers" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "email" text NOT NULL, "role" "public"."officer_role" NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "disabled_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_51b2f6e36c3acee541c66bf4047" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_officers_tenant_email" ON "officers"  ("tenant_id", "email") `);
    await queryRunner.query(`CREATE TABLE "api_tokens" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "officer_id" uuid NOT NULL, "label" text NOT NULL, "secret_hash" character(64) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "revoked_at" TIMESTAMP WITH TIME ZONE, "last_used_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "UQ_7e7249acb8127967fc6b8907d60" UNIQUE ("secret_hash"), CONSTRAINT "PK_c587455266b5fa8dace7194caac" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_api_tokens_tenant_officer" ON "api_tokens"  ("tenant_id", "officer_id") `);
    await queryRunner.query(`CREATE TABLE "audit_events" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "tenant_id" uuid NOT NULL, "seq" integer NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "actor_id" uuid, "actor_label" text NOT NULL, "action" text NOT NULL, "target_type" text NOT NULL, "target_id" text NOT NULL, "before" jsonb, "after" jsonb, "request_id" text, "prev_hash" character(64) NOT NULL, "hash" character(64) NOT NULL, CONSTRAINT "PK_910f64d901a5c3e9878f0d4a407" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_audit_events_tenant_time" ON "audit_events"  ("tenant_id", "occurred_at") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_audit_events_tenant_seq" ON "audit_events"  ("tenant_id", "seq") `);
    await queryRunner.query(`CREATE TABLE "device_groups" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "slug" text NOT NULL, "name" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_0a85eb3da91cda682e08b66ae77" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_device_groups_tenant_slug" ON "device_groups"  ("tenant_id", "slug") `);
    await queryRunner.query(`ALTER TABLE "officers" ADD CONSTRAINT "FK_66b1be0495a25b805b1b8734706" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "api_tokens" ADD CONSTRAINT "FK_2c3be6b98e872975a45a982507b" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "api_tokens" ADD CONSTRAINT "FK_c83a79a32b5db64ae732e613ddf" FOREIGN KEY ("officer_id") REFERENCES "officers"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "device_groups" ADD CONSTRAINT "FK_48733bb3e5f0b4a8ee7bde6c0c4" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "device_groups" DROP CONSTRAINT "FK_48733bb3e5f0b4a8ee7bde6c0c4"`);
    await queryRunner.query(`ALTER TABLE "api_tokens" DROP CONSTRAINT "FK_c83a79a32b5db64ae732e613ddf"`);
    await queryRunner.query(`ALTER TABLE "api_tokens" DROP CONSTRAINT "FK_2c3be6b98e872975a45a982507b"`);
    await queryRunner.query(`ALTER TABLE "officers" DROP CONSTRAINT "FK_66b1be0495a25b805b1b8734706"`);
    await queryRunner.query(`DROP INDEX "public"."uq_device_groups_tenant_slug"`);
    await queryRunner.query(`DROP TABLE "device_groups"`);
    await queryRunner.query(`DROP INDEX "public"."uq_audit_events_tenant_seq"`);
    await queryRunner.query(`DROP INDEX "public"."ix_audit_events_tenant_time"`);
    await queryRunner.query(`DROP TABLE "audit_events"`);
    await queryRunner.query(`DROP INDEX "public"."ix_api_tokens_tenant_officer"`);
    await queryRunner.query(`DROP TABLE "api_tokens"`);
    await queryRunner.query(`DROP INDEX "public"."uq_officers_tenant_email"`);
    await queryRunner.query(`DROP TABLE "officers"`);
    await queryRunner.query(`DROP TYPE "public"."officer_role"`);
    await queryRunner.query(`DROP TABLE "tenants"`);
  }
}
