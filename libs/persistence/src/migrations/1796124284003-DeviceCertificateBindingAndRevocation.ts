import type { MigrationInterface, QueryRunner } from 'typeorm';

export class DeviceCertificateBindingAndRevocation1796124284003 implements MigrationInterface {
  name = 'DeviceCertificateBindingAndRevocation1796124284003';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "scep_challenges" ADD "device_udid" text`);
    await queryRunner.query(`ALTER TABLE "scep_challenges" ADD "revoked_at" TIMESTAMP WITH TIME ZONE`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "scep_challenges" DROP COLUMN "revoked_at"`);
    await queryRunner.query(`ALTER TABLE "scep_challenges" DROP COLUMN "device_udid"`);
  }
}
