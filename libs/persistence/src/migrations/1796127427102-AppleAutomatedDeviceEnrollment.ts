import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AppleAutomatedDeviceEnrollment1796127427102 implements MigrationInterface {
  name = 'AppleAutomatedDeviceEnrollment1796127427102';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "ade_accounts" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "certificate_pem" text NOT NULL, "encrypted_private_key" text NOT NULL, "encrypted_credentials" text, "consumer_key" text, "token_expires_at" TIMESTAMP WITH TIME ZONE, "token_uploaded_at" TIMESTAMP WITH TIME ZONE, "server_name" text, "server_uuid" text, "org_name" text, "admin_id" text, "blocking_state" text, "blocking_message" text, "encrypted_enroll_token" text NOT NULL, "enroll_token_hash" character(64) NOT NULL, "enrollment_id" uuid, "default_group_id" uuid, "assignment_rules" jsonb NOT NULL DEFAULT '[]', "skip_setup_items" text array NOT NULL, "profile_uuid" text, "profile_fingerprint" character(64), "cursor" text, "fetch_complete" boolean NOT NULL DEFAULT false, "last_sync_at" TIMESTAMP WITH TIME ZONE, "last_sync_error" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_c419370e0559b9d3b59f3b8af44" UNIQUE ("enroll_token_hash"), CONSTRAINT "PK_d3bfc19f3cd592cb67c2e5cf02b" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_ade_accounts_tenant" ON "ade_accounts"  ("tenant_id") `);
    await queryRunner.query(`CREATE TABLE "ade_devices" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "serial_number" text NOT NULL, "model" text, "description" text, "color" text, "os" text, "device_family" text, "profile_status" text, "device_assigned_by" text, "device_assigned_date" TIMESTAMP WITH TIME ZONE, "op_type" text NOT NULL, "op_date" TIMESTAMP WITH TIME ZONE, "target_group_id" uuid, "assignment_status" text NOT NULL DEFAULT 'pending', "assigned_profile_uuid" text, "assignment_attempts" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP WITH TIME ZONE, "last_assignment_result" text, "assigned_at" TIMESTAMP WITH TIME ZONE, "device_id" uuid, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_7f34dd06088375941659e70d8d8" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_ade_devices_due" ON "ade_devices"  ("tenant_id", "serial_number") WHERE assignment_status IN ('pending', 'failed', 'throttled')`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_ade_devices_tenant_serial" ON "ade_devices"  ("tenant_id", "serial_number") `);
    await queryRunner.query(`ALTER TABLE "scep_challenges" ADD "ade_serial" text`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "scep_challenges" DROP COLUMN "ade_serial"`);
    await queryRunner.query(`DROP INDEX "public"."uq_ade_devices_tenant_serial"`);
    await queryRunner.query(`DROP INDEX "public"."ix_ade_devices_due"`);
    await queryRunner.query(`DROP TABLE "ade_devices"`);
    await queryRunner.query(`DROP INDEX "public"."uq_ade_accounts_tenant"`);
    await queryRunner.query(`DROP TABLE "ade_accounts"`);
  }
}
