import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ConsoleDeviceListOrder1796137527676 implements MigrationInterface {
  name = 'ConsoleDeviceListOrder1796137527676';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "ix_device_compliance_tenant_list_order" ON "device_compliance"  ("tenant_id", "non_compliant_since", "status_since", "device_id") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_device_compliance_tenant_list_order"`);
  }
}
