import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AndroidRolloutLeg1796126915536 implements MigrationInterface {
  name = 'AndroidRolloutLeg1796126915536';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "android_policy_publications" ("rollout_id" uuid NOT NULL, "group_id" uuid NOT NULL, "tenant_id" uuid NOT NULL, "policy_name" text NOT NULL, "amapi_version" bigint NOT NULL, "published_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_851fd6045ae379d486d6fba45e0" PRIMARY KEY ("rollout_id", "group_id"))`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "android_policy_publications"`);
  }
}
