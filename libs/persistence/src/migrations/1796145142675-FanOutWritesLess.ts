import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A rollout's fan-out inserts a delivery and a command per phone: every index on those tables is
 * written 100,000 times for 100,000 phones. Deliveries are found by (device, version) when a phone
 * answers an InstallProfile, so ix_deliveries_command goes; a device's commands are found through
 * ix_mdm_commands_device_pending, so ix_mdm_commands_tenant_device goes. uuid_time_ordered() gives
 * the fan-out's rows time-ordered ids (RFC 9562 version 7): their primary-key entries land at the
 * right edge of the index instead of all over it.
 */
export class FanOutWritesLess1796145142675 implements MigrationInterface {
  name = 'FanOutWritesLess1796145142675';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_deliveries_command"`);
    await queryRunner.query(`DROP INDEX "public"."ix_mdm_commands_tenant_device"`);
    await queryRunner.query(
      `CREATE FUNCTION uuid_time_ordered() RETURNS uuid LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
         SELECT encode(
                  set_bit(set_bit(
                    overlay(uuid_send(gen_random_uuid())
                            PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                            FROM 1 FOR 6),
                    52, 1), 53, 1),
                  'hex')::uuid
       $$`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION uuid_time_ordered()`);
    await queryRunner.query(`CREATE INDEX "ix_mdm_commands_tenant_device" ON "mdm_commands" ("tenant_id", "device_id") `);
    await queryRunner.query(`CREATE INDEX "ix_deliveries_command" ON "deliveries" ("command_id") `);
  }
}
