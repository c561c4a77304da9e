import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ConsoleSessions1796134702496 implements MigrationInterface {
  name = 'ConsoleSessions1796134702496';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "console_sessions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "officer_id" uuid NOT NULL, "secret_hash" character(64) NOT NULL, "csrf_hash" character(64) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "id_token" text, CONSTRAINT "UQ_52b92dccd1fc30ca4669db45dfd" UNIQUE ("secret_hash"), CONSTRAINT "PK_15fe3f1740801e7a0581dea8d49" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_console_sessions_expires_at" ON "console_sessions"  ("expires_at") `);
    await queryRunner.query(`CREATE INDEX "ix_console_sessions_tenant_officer" ON "console_sessions"  ("tenant_id", "officer_id") `);
    await queryRunner.query(`ALTER TABLE "console_sessions" ADD CONSTRAINT "FK_d2cbe512c7d4f5df592234f8b05" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "console_sessions" ADD CONSTRAINT "FK_34139d2277c27223dd7ef58a555" FOREIGN KEY ("officer_id") REFERENCES "officers"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "console_sessions" DROP CONSTRAINT "FK_34139d2277c27223dd7ef58a555"`);
    await queryRunner.query(`ALTER TABLE "console_sessions" DROP CONSTRAINT "FK_d2cbe512c7d4f5df592234f8b05"`);
    await queryRunner.query(`DROP INDEX "public"."ix_console_sessions_tenant_officer"`);
    await queryRunner.query(`DROP INDEX "public"."ix_console_sessions_expires_at"`);
    await queryRunner.query(`DROP TABLE "console_sessions"`);
  }
}
