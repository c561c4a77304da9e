import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Console sessions get a public id for the admin's list and revocation (`/v1/console-sessions`):
 * neither the cookie's secret nor its hash. The default is volatile, so the sessions already open
 * each get their own.
 */
export class ConsoleSessionPublicId1796146922415 implements MigrationInterface {
  name = 'ConsoleSessionPublicId1796146922415';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "console_sessions" ADD "public_id" uuid NOT NULL DEFAULT gen_random_uuid()`);
    await queryRunner.query(`ALTER TABLE "console_sessions" ADD CONSTRAINT "UQ_3d5f8a67c3f6b7278bb842d9b7f" UNIQUE ("public_id")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "console_sessions" DROP CONSTRAINT "UQ_3d5f8a67c3f6b7278bb842d9b7f"`);
    await queryRunner.query(`ALTER TABLE "console_sessions" DROP COLUMN "public_id"`);
  }
}
