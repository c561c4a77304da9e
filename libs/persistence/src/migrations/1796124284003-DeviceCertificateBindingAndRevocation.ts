import type { MigrationInterface, QueryRunner } from 'typeorm';

export class DeviceCertificateBindingAndRevocation1796124284003 implements MigrationInterface {
  name = 'DeviceCertificateBindingAndRevocation1796124284003';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "scep_challenges" ADD "device_udid" text`);
    await queryRunner.query(`ALTER TABLE "scep_challenges" ADD "revoked_at" TIMESTAMP WITH TIME ZONE`);
    // Certificates already bound to a device speak for that device only, like those bound from now on.
    await queryRunner.query(
      `UPDATE "scep_challenges" c SET "device_udid" = d."udid" FROM "devices" d WHERE d."tenant_id" = c."tenant_id" AND d."identity_certificate_sha256" = c."issued_certificate_sha256"`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "scep_challenges" DROP COLUMN "revoked_at"`);
    await queryRunner.query(`ALTER TABLE "scep_challenges" DROP COLUMN "device_udid"`);
  }
}
