import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AndroidChannel1796124944426 implements MigrationInterface {
  name = 'AndroidChannel1796124944426';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "android_enterprises" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "enterprise_name" text NOT NULL, "project_id" text NOT NULL, "service_account_email" text NOT NULL, "encrypted_service_account_key" text NOT NULL, "bound_by" text NOT NULL, "last_checked_at" TIMESTAMP WITH TIME ZONE, "last_check_error" text, "last_sync_at" TIMESTAMP WITH TIME ZONE, "last_sync_devices" integer, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_19fa278e8ba4481e489e2e4e318" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_android_enterprises_name" ON "android_enterprises"  ("enterprise_name") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_android_enterprises_tenant" ON "android_enterprises"  ("tenant_id") `);
    await queryRunner.query(`CREATE TABLE "android_signups" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "signup_url_name" text NOT NULL, "project_id" text NOT NULL, "service_account_email" text NOT NULL, "encrypted_service_account_key" text NOT NULL, "callback_secret_hash" character(64) NOT NULL, "created_by" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "completed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_fbebd32bbff5ee7fd8d3b96491a" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_android_signups_tenant" ON "android_signups"  ("tenant_id") `);
    await queryRunner.query(`CREATE TABLE "android_notifications" ("message_id" text NOT NULL, "tenant_id" uuid, "type" text NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_2af3b94e49b0eab5e8bf9b8a2df" PRIMARY KEY ("message_id"))`);
    await queryRunner.query(`CREATE TABLE "android_group_policies" ("group_id" uuid NOT NULL, "tenant_id" uuid NOT NULL, "policy_name" text NOT NULL, "amapi_version" bigint NOT NULL, "content_sha256" character(64) NOT NULL, "patched_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_e0960883ed2799a277eaa84fffb" PRIMARY KEY ("group_id"))`);
    await queryRunner.query(`ALTER TABLE "device_apps" ADD "state" text`);
    await queryRunner.query(`ALTER TABLE "devices" ADD "amapi_name" text`);
    await queryRunner.query(`ALTER TABLE "devices" ADD "security_patch_level" text`);
    await queryRunner.query(`ALTER TABLE "devices" ADD "policy_compliant" boolean`);
    await queryRunner.query(`ALTER TABLE "devices" ADD "non_compliance_details" jsonb`);
    await queryRunner.query(`ALTER TABLE "devices" ADD "applied_policy_version" bigint`);
    await queryRunner.query(`ALTER TABLE "devices" ADD "last_status_report_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "enrollments" ADD "android_token_name" text`);
    await queryRunner.query(`ALTER TABLE "enrollments" ADD "encrypted_android_token" text`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "enrollments" DROP COLUMN "encrypted_android_token"`);
    await queryRunner.query(`ALTER TABLE "enrollments" DROP COLUMN "android_token_name"`);
    await queryRunner.query(`ALTER TABLE "devices" DROP COLUMN "last_status_report_at"`);
    await queryRunner.query(`ALTER TABLE "devices" DROP COLUMN "applied_policy_version"`);
    await queryRunner.query(`ALTER TABLE "devices" DROP COLUMN "non_compliance_details"`);
    await queryRunner.query(`ALTER TABLE "devices" DROP COLUMN "policy_compliant"`);
    await queryRunner.query(`ALTER TABLE "devices" DROP COLUMN "security_patch_level"`);
    await queryRunner.query(`ALTER TABLE "devices" DROP COLUMN "amapi_name"`);
    await queryRunner.query(`ALTER TABLE "device_apps" DROP COLUMN "state"`);
    await queryRunner.query(`DROP TABLE "android_group_policies"`);
    await queryRunner.query(`DROP TABLE "android_notifications"`);
    await queryRunner.query(`DROP INDEX "public"."ix_android_signups_tenant"`);
    await queryRunner.query(`DROP TABLE "android_signups"`);
    await queryRunner.query(`DROP INDEX "public"."uq_android_enterprises_tenant"`);
    await queryRunner.query(`DROP INDEX "public"."uq_android_enterprises_name"`);
    await queryRunner.query(`DROP TABLE "android_enterprises"`);
  }
}
