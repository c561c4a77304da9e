import type { MigrationInterface, QueryRunner } from 'typeorm';

export class EnrollmentToken1796134782963 implements MigrationInterface {
  name = 'EnrollmentToken1796134782963';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "enrollments" ADD "encrypted_token" text`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "enrollments" DROP COLUMN "encrypted_token"`);
  }
}
