import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, Repository, type EntityManager } from 'typeorm';
import { compileAndroidPolicy, serializeAndroidPolicy } from '#libs/android';
import { compileRestrictionsProfile } from '#libs/apple';
import { SigningIdentitiesService } from '#libs/apple-server';
import { AuditService, type Actor } from '#libs/audit';
import { CatalogService } from '#libs/catalog';
import {
  DeviceGroupEntity,
  isUniqueViolation,
  PolicyEntity,
  PolicyVersionEntity,
  TenantEntity,
  TenantScopedRepository,
  type PolicyMode,
} from '#libs/persistence';
import { ConflictDomainException, DomainException, NotFoundDomainException } from '#libs/platform';
import { RolloutSchedulerService } from '#libs/rollouts';
import type { BanSpec } from '#libs/ban-spec';
import { diffBanSpecs, type BanSpecDiff } from '../diff-ban-specs.js';
import { withDomainErrors } from '../domain-errors.js';
import { AppListsService, type ResolvedAppList } from '../lists/app-lists.service.js';
import { resolveBanSpec } from '../resolve-ban-spec.js';

@Injectable()
export class PolicyRepository extends TenantScopedRepository<PolicyEntity> {
  constructor(@InjectRepository(PolicyEntity) repository: Repository<PolicyEntity>) {
    super(repository);
  }
}

@Injectable()
export class PolicyVersionRepository extends TenantScopedRepository<PolicyVersionEntity> {
  constructor(@InjectRepository(PolicyVersionEntity) repository: Repository<PolicyVersionEntity>) {
    super(repository);
  }
}

export interface PolicyInput {
  slug: string;
  name: string;
  description?: string | null;
  groups: string[];
  blockLists: string[];
  allowLists?: string[];
  forceInstall?: string[];
  mode?: PolicyMode;
  includeLegacyIosKeys?: boolean;
  effectiveAt?: Date | null;
}

export type PolicyPatch = Partial<Omit<PolicyInput, 'slug'>>;

export interface PublishedVersion {
  version: number;
  effectiveAt: Date;
  /** The rollout that brings this version to the targeted phones at `effectiveAt`. */
  rolloutId: string;
}

export interface PolicyDraft {
  policy: PolicyEntity;
  /** The ban spec the next version would have, from the lists as they are now. */
  spec: BanSpec;
  latest: PolicyVersionEntity | null;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** What a phone user reads under the profile's name when the officer wrote no description. */
const DEFAULT_DESCRIPTION =
  'Applications interdites sur les téléphones professionnels par votre organisation. ' +
  'Apps banned on work phones by your organisation.';

/**
 * Policies: which lists apply to which groups, from when. Publishing resolves the lists once,
 * compiles the Apple profile (signed) and the Android policy once, and stores them as an immutable
 * version; phones are then served those bytes.
 */
@Injectable()
export class PoliciesService {
  constructor(
    private readonly policies: PolicyRepository,
    private readonly versions: PolicyVersionRepository,
    private readonly lists: AppListsService,
    private readonly catalog: CatalogService,
    private readonly signing: SigningIdentitiesService,
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly rollouts: RolloutSchedulerService,
  ) {}

  async create(actor: Actor, input: PolicyInput): Promise<PolicyEntity> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        const groups = await this.resolveGroups(actor.tenantId, input.groups, manager);
        const fields = {
          slug: input.slug,
          name: input.name.trim(),
          description: input.description?.trim() || null,
          mode: input.mode ?? 'blocklist',
          includeLegacyIosKeys: input.includeLegacyIosKeys ?? false,
          blockLists: dedupe(input.blockLists),
          allowLists: dedupe(input.allowLists ?? []),
          forceInstall: dedupe(input.forceInstall ?? []),
          effectiveAt: input.effectiveAt ?? null,
        };
        const tenant = await manager.getRepository(TenantEntity).findOneByOrFail({ id: actor.tenantId });
        await this.resolve(tenant, { ...fields, latestVersion: 0 } as PolicyEntity, 1, manager);
        const policy = await this.policies.insert(
          actor.tenantId,
          { ...fields, groups, latestVersion: 0 },
          manager,
        );
        await this.audit.record(manager, actor, {
          action: 'policy.create',
          targetType: 'policy',
          targetId: policy.slug,
          after: policySummary(policy),
        });
        return policy;
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw new ConflictDomainException(
          'POLICY_EXISTS',
          `policy ${JSON.stringify(input.slug)} already exists`,
        );
      throw error;
    }
  }

  async update(actor: Actor, slug: string, patch: PolicyPatch): Promise<PolicyEntity> {
    return this.dataSource.transaction(async (manager) => {
      const policy = await this.lockPolicy(actor.tenantId, slug, manager);
      const before = policySummary(policy);
      if (patch.groups !== undefined)
        policy.groups = await this.resolveGroups(actor.tenantId, patch.groups, manager);
      if (patch.name !== undefined) policy.name = patch.name.trim();
      if (patch.description !== undefined) policy.description = patch.description?.trim() || null;
      if (patch.mode !== undefined) policy.mode = patch.mode;
      if (patch.includeLegacyIosKeys !== undefined) policy.includeLegacyIosKeys = patch.includeLegacyIosKeys;
      if (patch.blockLists !== undefined) policy.blockLists = dedupe(patch.blockLists);
      if (patch.allowLists !== undefined) policy.allowLists = dedupe(patch.allowLists);
      if (patch.forceInstall !== undefined) policy.forceInstall = dedupe(patch.forceInstall);
      if (patch.effectiveAt !== undefined) policy.effectiveAt = patch.effectiveAt;
      const tenant = await manager.getRepository(TenantEntity).findOneByOrFail({ id: actor.tenantId });
      await this.resolve(tenant, policy, policy.latestVersion + 1, manager);
      const saved = await manager.getRepository(PolicyEntity).save(policy);
      await this.audit.record(manager, actor, {
        action: 'policy.update',
        targetType: 'policy',
        targetId: policy.slug,
        before,
        after: policySummary(saved),
      });
      return saved;
    });
  }

  list(tenantId: string): Promise<PolicyEntity[]> {
    return this.policies.find(tenantId, {}, { order: { slug: 'ASC' }, relations: { groups: true } });
  }

  async get(tenantId: string, slug: string): Promise<PolicyEntity> {
    const [policy] = await this.policies.find(tenantId, { slug }, { relations: { groups: true } });
    if (!policy) throw new NotFoundDomainException('policy', slug);
    return policy;
  }

  /** Publishes the next version: resolve, compile both platforms once, sign, store, audit. */
  async publish(actor: Actor, slug: string): Promise<PublishedVersion> {
    // Signing identity first: generating one takes a moment and must not hold the policy lock.
    const { signer, identityId } = await this.signing.signer(actor.tenantId);
    const stored = await this.dataSource.transaction(async (manager) => {
      const policy = await this.lockPolicy(actor.tenantId, slug, manager);
      if (policy.groups.length === 0) {
        throw new DomainException(
          'POLICY_WITHOUT_GROUPS',
          `policy ${JSON.stringify(slug)} targets no group`,
          409,
        );
      }
      const tenant = await manager.getRepository(TenantEntity).findOneByOrFail({ id: actor.tenantId });
      const version = policy.latestVersion + 1;
      const { spec, lists } = await this.resolve(tenant, policy, version, manager);
      const iosProfile = await withDomainErrors(() => compileRestrictionsProfile(spec));
      const signedIosProfile = signer.sign(iosProfile);
      const androidPolicy = await withDomainErrors(() => serializeAndroidPolicy(compileAndroidPolicy(spec)));
      const now = new Date();
      const effectiveAt = policy.effectiveAt && policy.effectiveAt > now ? policy.effectiveAt : now;
      const entity = await this.versions.insert(
        actor.tenantId,
        {
          policyId: policy.id,
          version,
          effectiveAt,
          publishedAt: now,
          publishedBy: actor.label,
          groupSlugs: policy.groups.map((g) => g.slug).sort(),
          banSpec: spec as unknown as Record<string, unknown>,
          listSnapshots: lists as unknown as Record<string, unknown>[],
          iosProfile,
          iosProfileSha256: sha256(iosProfile),
          signedIosProfile,
          signedIosProfileSha256: sha256(signedIosProfile),
          androidPolicy,
          androidPolicySha256: sha256(androidPolicy),
          signingIdentityId: identityId,
        },
        manager,
      );
      await manager
        .getRepository(PolicyEntity)
        .update({ id: policy.id, tenantId: actor.tenantId }, { latestVersion: version });
      const rollout = await this.rollouts.createForVersion(manager, entity, actor.label);
      await this.audit.record(manager, actor, {
        action: 'policy.publish',
        targetType: 'policy',
        targetId: `${policy.slug}@${version}`,
        after: {
          version,
          effectiveAt: effectiveAt.toISOString(),
          groups: entity.groupSlugs,
          iosBlocked: spec.ios.blocked.length,
          androidBlocked: spec.android.blocked.length,
          iosProfileSha256: entity.iosProfileSha256,
          androidPolicySha256: entity.androidPolicySha256,
          rolloutId: rollout.id,
        },
      });
      return { entity, rollout };
    });
    // After the commit: the start job must never run before the rollout row is visible.
    await this.rollouts.schedule(stored.rollout);
    return {
      version: stored.entity.version,
      effectiveAt: stored.entity.effectiveAt,
      rolloutId: stored.rollout.id,
    };
  }

  /**
   * What the next version would be, without publishing: the policy as edited, its groups, and the
   * ban spec its lists resolve to now; with the latest published version, if any.
   */
  async draft(tenantId: string, slug: string): Promise<PolicyDraft> {
    const policy = await this.get(tenantId, slug);
    const tenant = await this.dataSource.getRepository(TenantEntity).findOneByOrFail({ id: tenantId });
    const { spec } = await this.resolve(tenant, policy, policy.latestVersion + 1, this.dataSource.manager);
    const latest =
      policy.latestVersion > 0
        ? await this.versions.findOne(tenantId, { policyId: policy.id, version: policy.latestVersion })
        : null;
    return { policy, spec, latest };
  }

  async listVersions(tenantId: string, slug: string): Promise<PolicyVersionEntity[]> {
    const policy = await this.get(tenantId, slug);
    return this.versions.find(tenantId, { policyId: policy.id }, { order: { version: 'DESC' } });
  }

  async version(tenantId: string, slug: string, version: number): Promise<PolicyVersionEntity> {
    const policy = await this.get(tenantId, slug);
    const found = await this.versions.findOne(tenantId, { policyId: policy.id, version });
    if (!found) throw new NotFoundDomainException('policy version', `${slug}@${version}`);
    return found;
  }

  async diff(tenantId: string, slug: string, version: number, against: number): Promise<BanSpecDiff> {
    const [to, from] = await Promise.all([
      this.version(tenantId, slug, version),
      this.version(tenantId, slug, against),
    ]);
    return diffBanSpecs(from.banSpec as unknown as BanSpec, to.banSpec as unknown as BanSpec);
  }

  private async lockPolicy(tenantId: string, slug: string, manager: EntityManager): Promise<PolicyEntity> {
    const locked = await manager
      .getRepository(PolicyEntity)
      .createQueryBuilder('p')
      .setLock('pessimistic_write')
      .where('p.tenant_id = :tenantId AND p.slug = :slug', { tenantId, slug })
      .getOne();
    if (!locked) throw new NotFoundDomainException('policy', slug);
    locked.groups = await manager
      .getRepository(DeviceGroupEntity)
      .createQueryBuilder('g')
      .innerJoin('policy_groups', 'pg', 'pg.group_id = g.id')
      .where('pg.policy_id = :id AND g.tenant_id = :tenantId', { id: locked.id, tenantId })
      .getMany();
    return locked;
  }

  private async resolveGroups(
    tenantId: string,
    slugs: string[],
    manager: EntityManager,
  ): Promise<DeviceGroupEntity[]> {
    const wanted = dedupe(slugs);
    const found = await manager
      .getRepository(DeviceGroupEntity)
      .find({ where: { tenantId, slug: In(wanted) } });
    const missing = wanted.filter((slug) => !found.some((g) => g.slug === slug));
    if (missing.length)
      throw new DomainException(
        'UNKNOWN_GROUP',
        `groups: unknown group ${missing.map((s) => JSON.stringify(s)).join(', ')}`,
      );
    return found;
  }

  /** The lists a policy names, checked for kind, and the BanSpec they resolve to. */
  private async resolve(
    tenant: TenantEntity,
    policy: PolicyEntity,
    version: number,
    manager: EntityManager,
  ): Promise<{ spec: BanSpec; lists: ResolvedAppList[] }> {
    // Every unknown or mismatched list of both fields is named in one error, not the first one.
    const problems: Array<{ code: string; message: string }> = [];
    const load = async (slugs: string[], field: 'blockLists' | 'allowLists', kind: 'block' | 'allow') => {
      const lists: ResolvedAppList[] = [];
      for (const slug of slugs) {
        let list: ResolvedAppList;
        try {
          list = await this.lists.get(tenant.id, slug, manager);
        } catch (error) {
          if (!(error instanceof NotFoundDomainException)) throw error;
          problems.push({
            code: 'UNKNOWN_APP_LIST',
            message: `${field}: unknown app list ${JSON.stringify(slug)}`,
          });
          continue;
        }
        if (list.kind !== kind) {
          problems.push({
            code: 'LIST_KIND_MISMATCH',
            message: `${field}: ${JSON.stringify(slug)} is ${article(list.kind)} ${list.kind} list, not ${article(kind)} ${kind} list`,
          });
          continue;
        }
        lists.push(list);
      }
      return lists;
    };
    const blockLists = await load(policy.blockLists, 'blockLists', 'block');
    const allowLists = await load(policy.allowLists, 'allowLists', 'allow');
    if (problems.length > 0) {
      throw new DomainException(problems[0].code, problems.map((problem) => problem.message).join('; '));
    }
    const spec = await withDomainErrors(() =>
      resolveBanSpec({
        catalog: this.catalog.catalog,
        policy: {
          tenantSlug: tenant.slug,
          slug: policy.slug,
          name: policy.name,
          version,
          organization: tenant.name,
          description: policy.description ?? DEFAULT_DESCRIPTION,
          mode: policy.mode,
          includeLegacyIosKeys: policy.includeLegacyIosKeys,
          forceInstall: policy.forceInstall,
        },
        blockLists,
        allowLists,
      }),
    );
    return { spec, lists: [...blockLists, ...allowLists] };
  }
}

const article = (kind: string) => (/^[aeiou]/.test(kind) ? 'an' : 'a');

function dedupe(values: string[]): string[] {
  return [...new Set(values)];
}

function policySummary(p: PolicyEntity): Record<string, unknown> {
  return {
    name: p.name,
    mode: p.mode,
    groups: (p.groups ?? []).map((g) => g.slug).sort(),
    blockLists: p.blockLists,
    allowLists: p.allowLists,
    forceInstall: p.forceInstall,
    effectiveAt: p.effectiveAt?.toISOString() ?? null,
  };
}
