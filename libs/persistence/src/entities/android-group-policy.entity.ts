import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The AMAPI policy of one device group (`enterprises/{e}/policies/{tenant}_{group}`) as Rempart last
 * patched it: the version AMAPI gave that content, and the content's hash so that an unchanged
 * policy is not patched again (each patch makes every phone of the group re-sync).
 */
@Entity('android_group_policies')
export class AndroidGroupPolicyEntity {
  @PrimaryColumn({ name: 'group_id', type: 'uuid' })
  groupId!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'policy_name', type: 'text' })
  policyName!: string;

  /** Policy.version after our last patch (int64 as a decimal string). */
  @Column({ name: 'amapi_version', type: 'bigint' })
  amapiVersion!: string;

  @Column({ name: 'content_sha256', type: 'char', length: 64 })
  contentSha256!: string;

  @Column({ name: 'patched_at', type: 'timestamptz' })
  patchedAt!: Date;
}
