import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Each audit event's hash is HMAC-signed with AUDIT_HMAC_KEY; events written before stay unsigned (null). */
export class AuditEventMac1796124582216 implements MigrationInterface {
  name = 'AuditEventMac1796124582216';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "audit_events" ADD "mac" character(64)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "audit_events" DROP COLUMN "mac"`);
  }
}
