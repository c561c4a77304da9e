import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AppleEnrollmentAndDevices1795819003363 implements MigrationInterface {
  name = 'AppleEnrollmentAndDevices1795819003363';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "device_apps" ("device_id" uuid NOT NULL, "identifier" text NOT NULL, "tenant_id" uuid NOT NULL, "name" text, "version" text, "reported_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_71934ae368577d0889f96e0b2eb" PRIMARY KEY ("device_id", "identifier"))`);
    await queryRunner.query(`CREATE TABLE "device_profiles" ("device_id" uuid NOT NULL, "identifier" text NOT NULL, "tenant_id" uuid NOT NULL, "uuid" text, "display_name" text, "reported_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_ed3be06d9cfd12b65e5d7a7a69a" PRIMARY KEY ("device_id", "identifier"))`);
    await queryRunner.query(`CREATE TABLE "devices" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "platform" text NOT NULL, "group_id" uuid NOT NULL, "enrollment_id" uuid, "udid" text NOT NULL, "status" text NOT NULL DEFAULT 'pending', "serial_number" text, "model" text, "model_name" text, "product_name" text, "os_version" text, "build_version" text, "device_name" text, "is_supervised" boolean, "identity_certificate_sha256" character(64), "push_token" text, "push_magic" text, "push_topic" text, "security_info" jsonb, "restrictions" jsonb, "last_idle_at" TIMESTAMP WITH TIME ZONE, "last_seen_at" TIMESTAMP WITH TIME ZONE, "enrolled_at" TIMESTAMP WITH TIME ZONE, "unenrolled_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_b1514758245c12daf43486dd1f0" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_devices_tenant_group" ON "devices"  ("tenant_id", "group_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_devices_tenant_udid" ON "devices"  ("tenant_id", "udid") `);
    await queryRunner.query(`CREATE TABLE "enrollments" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "group_id" uuid NOT NULL, "platform" text NOT NULL, "token_hash" character(64) NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "max_uses" integer, "uses" integer NOT NULL DEFAULT '0', "created_by" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "UQ_47e6c97044fa6fa4a271de93d50" UNIQUE ("token_hash"), CONSTRAINT "PK_7c0f752f9fb68bf6ed7367ab00f" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_enrollments_tenant" ON "enrollments"  ("tenant_id") `);
    await queryRunner.query(`CREATE TABLE "mdm_commands" ("id" uuid NOT NULL, "tenant_id" uuid NOT NULL, "device_id" uuid NOT NULL, "request_type" text NOT NULL, "params" jsonb NOT NULL DEFAULT '{}', "status" text NOT NULL DEFAULT 'queued', "queued_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "sent_at" TIMESTAMP WITH TIME ZONE, "deferred_at" TIMESTAMP WITH TIME ZONE, "completed_at" TIMESTAMP WITH TIME ZONE, "attempts" integer NOT NULL DEFAULT '0', "not_now_count" integer NOT NULL DEFAULT '0', "error_chain" jsonb, "result" jsonb, "queued_by" text NOT NULL, CONSTRAINT "PK_711c3c5c96af18f8f4050073d4e" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_mdm_commands_tenant_device" ON "mdm_commands"  ("tenant_id", "device_id") `);
    await queryRunner.query(`CREATE INDEX "ix_mdm_commands_device_pending" ON "mdm_commands"  ("device_id", "status", "queued_at") `);
    await queryRunner.query(`CREATE TABLE "push_certificates" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "topic" text NOT NULL, "certificate_pem" text NOT NULL, "encrypted_private_key" text NOT NULL, "not_after" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "retired_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_6a0ed1ca75a4770dd823d1c60de" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_push_certificates_tenant_active" ON "push_certificates"  ("tenant_id") WHERE retired_at IS NULL`);
    await queryRunner.query(`CREATE TABLE "scep_challenges" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "enrollment_id" uuid NOT NULL, "challenge_hash" character(64) NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "consumed_at" TIMESTAMP WITH TIME ZONE, "issued_certificate_sha256" character(64), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_d3be5b28aa9f98d786d085910be" UNIQUE ("challenge_hash"), CONSTRAINT "PK_fd06625a81a7559f9fd0a87723c" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_scep_challenges_issued_cert" ON "scep_challenges"  ("issued_certificate_sha256") `);
    await queryRunner.query(`CREATE TABLE "tenant_cas" ("tenant_id" uuid NOT NULL, "certificate_pem" text NOT NULL, "encrypted_private_key" text NOT NULL, "not_after" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_7675a9edad5785539acd8ca9bd9" PRIMARY KEY ("tenant_id"))`);
    await queryRunner.query(`ALTER TABLE "enrollments" ADD CONSTRAINT "FK_52e3e34305ad0800648eab215ed" FOREIGN KEY ("group_id") REFERENCES "device_groups"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "enrollments" DROP CONSTRAINT "FK_52e3e34305ad0800648eab215ed"`);
    await queryRunner.query(`DROP TABLE "tenant_cas"`);
    await queryRunner.query(`DROP INDEX "public"."ix_scep_challenges_issued_cert"`);
    await queryRunner.query(`DROP TABLE "scep_challenges"`);
    await queryRunner.query(`DROP INDEX "public"."uq_push_certificates_tenant_active"`);
    await queryRunner.query(`DROP TABLE "push_certificates"`);
    await queryRunner.query(`DROP INDEX "public"."ix_mdm_commands_device_pending"`);
    await queryRunner.query(`DROP INDEX "public"."ix_mdm_commands_tenant_device"`);
    await queryRunner.query(`DROP TABLE "mdm_commands"`);
    await queryRunner.query(`DROP INDEX "public"."ix_enrollments_tenant"`);
    await queryRunner.query(`DROP TABLE "enrollments"`);
    await queryRunner.query(`DROP INDEX "public"."uq_devices_tenant_udid"`);
    await queryRunner.query(`DROP INDEX "public"."ix_devices_tenant_group"`);
    await queryRunner.query(`DROP TABLE "devices"`);
    await queryRunner.query(`DROP TABLE "device_profiles"`);
    await queryRunner.query(`DROP TABLE "device_apps"`);
  }
}
