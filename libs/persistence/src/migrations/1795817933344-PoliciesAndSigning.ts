import type { MigrationInterface, QueryRunner } from 'typeorm';

export class PoliciesAndSigning1795817933344 implements MigrationInterface {
  name = 'PoliciesAndSigning1795817933344';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "app_lists" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "slug" text NOT NULL, "name" text NOT NULL, "kind" text NOT NULL, "description" text, "sources" text array NOT NULL DEFAULT '{}', "effective_at" text, "apps" text array NOT NULL DEFAULT '{}', "bundle_ids" text array NOT NULL DEFAULT '{}', "package_names" text array NOT NULL DEFAULT '{}', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_89aafe4a625caee845f060aaf2e" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_app_lists_tenant_slug" ON "app_lists"  ("tenant_id", "slug") `);
    await queryRunner.query(`CREATE TYPE "public"."policy_mode" AS ENUM('blocklist', 'allowlist')`);
    await queryRunner.query(`CREATE TABLE "policies" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "slug" text NOT NULL, "name" text NOT NULL, "description" text, "mode" "public"."policy_mode" NOT NULL DEFAULT 'blocklist', "include_legacy_ios_keys" boolean NOT NULL DEFAULT false, "block_lists" text array NOT NULL DEFAULT '{}', "allow_lists" text array NOT NULL DEFAULT '{}', "force_install" text array NOT NULL DEFAULT '{}', "effective_at" TIMESTAMP WITH TIME ZONE, "latest_version" integer NOT NULL DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_603e09f183df0108d8695c57e28" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_policies_tenant_slug" ON "policies"  ("tenant_id", "slug") `);
    await queryRunner.query(`CREATE TABLE "policy_versions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "policy_id" uuid NOT NULL, "version" integer NOT NULL, "effective_at" TIMESTAMP WITH TIME ZONE NOT NULL, "published_at" TIMESTAMP WITH TIME ZONE NOT NULL, "published_by" text NOT NULL, "group_slugs" text array NOT NULL, "ban_spec" jsonb NOT NULL, "list_snapshots" jsonb NOT NULL, "ios_profile" bytea NOT NULL, "ios_profile_sha256" character(64) NOT NULL, "signed_ios_profile" bytea NOT NULL, "signed_ios_profile_sha256" character(64) NOT NULL, "android_policy" bytea NOT NULL, "android_policy_sha256" character(64) NOT NULL, "signing_identity_id" uuid NOT NULL, CONSTRAINT "PK_125d2970fc66a316f84af16812e" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_policy_versions_tenant" ON "policy_versions"  ("tenant_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_policy_versions_policy_version" ON "policy_versions"  ("policy_id", "version") `);
    await queryRunner.query(`CREATE TABLE "signing_identities" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "origin" text NOT NULL, "ca_certificate_pem" text NOT NULL, "certificate_pem" text NOT NULL, "chain_pem" text array NOT NULL DEFAULT '{}', "encrypted_private_key" text NOT NULL, "subject" text NOT NULL, "not_after" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "retired_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_f1d635003f51e98002ef4a3f92b" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_signing_identities_tenant_active" ON "signing_identities"  ("tenant_id") WHERE retired_at IS NULL`);
    await queryRunner.query(`CREATE TABLE "policy_groups" ("policy_id" uuid NOT NULL, "group_id" uuid NOT NULL, CONSTRAINT "PK_66802bab999304f8e152c06622f" PRIMARY KEY ("policy_id", "group_id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_5f9ba5b074fa4f5b5eeae4dbe8" ON "policy_groups"  ("policy_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_0a856f39dbf469836f2fbf64f5" ON "policy_groups"  ("group_id") `);
    await queryRunner.query(`ALTER TABLE "policy_versions" ADD CONSTRAINT "FK_b39b765ed67f82c6b52d880713e" FOREIGN KEY ("policy_id") REFERENCES "policies"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "policy_groups" ADD CONSTRAINT "FK_5f9ba5b074fa4f5b5eeae4dbe83" FOREIGN KEY ("policy_id") REFERENCES "policies"("id") ON DELETE CASCADE ON UPDATE CASCADE`);
    await queryRunner.query(`ALTER TABLE "policy_groups" ADD CONSTRAINT "FK_0a856f39dbf469836f2fbf64f56" FOREIGN KEY ("group_id") REFERENCES "device_groups"("id") ON DELETE CASCADE ON UPDATE CASCADE`);
    // A published version is immutable: what an officer published is what phones got.
    await queryRunner.query(`CREATE FUNCTION "policy_versions_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'policy_versions are immutable (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$`);
    await queryRunner.query(`CREATE TRIGGER "policy_versions_immutable" BEFORE UPDATE OR DELETE ON "policy_versions" FOR EACH ROW EXECUTE FUNCTION "policy_versions_refuse_change"()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "policy_versions_immutable" ON "policy_versions"`);
    await queryRunner.query(`DROP FUNCTION "policy_versions_refuse_change"()`);
    await queryRunner.query(`ALTER TABLE "policy_groups" DROP CONSTRAINT "FK_0a856f39dbf469836f2fbf64f56"`);
    await queryRunner.query(`ALTER TABLE "policy_groups" DROP CONSTRAINT "FK_5f9ba5b074fa4f5b5eeae4dbe83"`);
    await queryRunner.query(`ALTER TABLE "policy_versions" DROP CONSTRAINT "FK_b39b765ed67f82c6b52d880713e"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_0a856f39dbf469836f2fbf64f5"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_5f9ba5b074fa4f5b5eeae4dbe8"`);
    await queryRunner.query(`DROP TABLE "policy_groups"`);
    await queryRunner.query(`DROP INDEX "public"."uq_signing_identities_tenant_active"`);
    await queryRunner.query(`DROP TABLE "signing_identities"`);
    await queryRunner.query(`DROP INDEX "public"."uq_policy_versions_policy_version"`);
    await queryRunner.query(`DROP INDEX "public"."ix_policy_versions_tenant"`);
    await queryRunner.query(`DROP TABLE "policy_versions"`);
    await queryRunner.query(`DROP INDEX "public"."uq_policies_tenant_slug"`);
    await queryRunner.query(`DROP TABLE "policies"`);
    await queryRunner.query(`DROP TYPE "public"."policy_mode"`);
    await queryRunner.query(`DROP INDEX "public"."uq_app_lists_tenant_slug"`);
    await queryRunner.query(`DROP TABLE "app_lists"`);
  }
}
