import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, Repository, type EntityManager } from 'typeorm';
import { compileAndroidPolicy, serializeAndroidPolicy } from '#libs/android';
import { compileRestrictionsProfile } from '#libs/apple';
import { SigningIdentitiesService } from '#libs/apple-server';
import { AuditService, type Actor } from '#libs/audit';
import { CatalogService } from '#libs/catalog';
import { unknownGroup } from '#libs/fleet';
import {
  DeviceGroupEntity,
  isUniqueViolation,
  PolicyEntity,
  PolicyVersionEntity,
  RolloutEntity,
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
import { blockedAppsLine, describeVersionContents, type VersionContents } from '../version-contents.js';

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
  /** True when nothing changed since the latest version: that version is returned, none is created. */
  unchanged: boolean;
  /** What happened, in one sentence (an effective date in the past, an unchanged version). */
  message: string;
  contents: VersionContents;
}

export interface PublishOptions {
  /** Publish a new version even when it would be identical to the latest. */
  force?: boolean;
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

  /**
   * Publishes the next version: resolve, compile both platforms once, sign, store, audit. When the
   * result would be identical to the latest version (same apps, groups, effective date and signing
   * identity), returns that version with `unchanged` unless `force` is given.
   */
  async publish(actor: Actor, slug: string, options: PublishOptions = {}): Promise<PublishedVersion> {
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
      const now = new Date();
      const effectiveAt = policy.effectiveAt && policy.effectiveAt > now ? policy.effectiveAt : now;
      const groupSlugs = policy.groups.map((g) => g.slug).sort();
      if (!options.force && policy.latestVersion > 0) {
        const latest = await this.versions.findOne(
          actor.tenantId,
          { policyId: policy.id, version: policy.latestVersion },
          manager,
        );
        // A new signing identity is a reason to publish: phones get a profile signed by it.
        const sameSigner = latest?.signingIdentityId === identityId;
        if (latest && sameSigner && sameVersion(latest, spec, groupSlugs, effectiveAt, now)) {
          const rollout = await manager
            .getRepository(RolloutEntity)
            .findOneBy({ tenantId: actor.tenantId, policyVersionId: latest.id });
          return { kind: 'unchanged' as const, latest, rolloutId: rollout?.id ?? null };
        }
      }
      const iosProfile = await withDomainErrors(() => compileRestrictionsProfile(spec));
      const signedIosProfile = signer.sign(iosProfile);
      const androidPolicy = await withDomainErrors(() => serializeAndroidPolicy(compileAndroidPolicy(spec)));
      const entity = await this.versions.insert(
        actor.tenantId,
        {
          policyId: policy.id,
          version,
          effectiveAt,
          publishedAt: now,
          publishedBy: actor.label,
          groupSlugs,
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
      return {
        kind: 'published' as const,
        entity,
        rollout,
        pastEffectiveAt: policy.effectiveAt !== null && policy.effectiveAt < now,
      };
    });
    if (stored.kind === 'unchanged') {
      const { latest } = stored;
      return {
        version: latest.version,
        effectiveAt: latest.effectiveAt,
        rolloutId: stored.rolloutId ?? '',
        unchanged: true,
        message: `version ${latest.version} already has these apps, groups and effective date: no version published (add ?force=true to publish one anyway)`,
        contents: this.contents(latest),
      };
    }
    // After the commit: the start job must never run before the rollout row is visible.
    await this.rollouts.schedule(stored.rollout);
    const { entity } = stored;
    return {
      version: entity.version,
      effectiveAt: entity.effectiveAt,
      rolloutId: stored.rollout.id,
      unchanged: false,
      message: stored.pastEffectiveAt
        ? `version ${entity.version} published; the policy's effectiveAt is in the past, so it takes effect now`
        : entity.effectiveAt > entity.publishedAt
          ? `version ${entity.version} published; it takes effect at ${entity.effectiveAt.toISOString()}`
          : `version ${entity.version} published; it takes effect now`,
      contents: this.contents(entity),
    };
  }

  /** The apps of a version by name and identifier, and what to check about them. */
  contents(version: PolicyVersionEntity): VersionContents {
    return describeVersionContents(
      this.catalog.catalog,
      version.listSnapshots as unknown as ResolvedAppList[],
      version.banSpec as unknown as BanSpec,
    );
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
    if (missing.length) throw unknownGroup('groups', missing);
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
    const description = policy.description ?? DEFAULT_DESCRIPTION;
    const spec = await withDomainErrors(() =>
      resolveBanSpec({
        catalog: this.catalog.catalog,
        policy: {
          tenantSlug: tenant.slug,
          slug: policy.slug,
          name: policy.name,
          version,
          organization: tenant.name,
          description,
          mode: policy.mode,
          includeLegacyIosKeys: policy.includeLegacyIosKeys,
          forceInstall: policy.forceInstall,
        },
        blockLists,
        allowLists,
      }),
    );
    const lists = [...blockLists, ...allowLists];
    // Phone users read the description in Settings: it names the apps, not just "banned apps".
    const appsLine = blockedAppsLine(this.catalog.catalog, lists, spec);
    if (appsLine) spec.policy.description = `${description}\n\n${appsLine}`;
    return { spec, lists };
  }
}

const article = (kind: string) => (/^[aeiou]/.test(kind) ? 'an' : 'a');
/** Keys sorted at every depth: jsonb does not keep the key order of what was stored. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/**
 * Whether publishing now would repeat `latest`: the same ban spec (all but its version number), the
 * same groups, and the same effective date (a future one equal, or both already in effect).
 */
function sameVersion(
  latest: PolicyVersionEntity,
  spec: BanSpec,
  groupSlugs: string[],
  effectiveAt: Date,
  now: Date,
): boolean {
  const withoutVersion = (s: BanSpec) => ({ ...s, policy: { ...s.policy, version: 0 } });
  const sameSpec =
    JSON.stringify(canonical(withoutVersion(latest.banSpec as unknown as BanSpec))) ===
    JSON.stringify(canonical(withoutVersion(spec)));
  const sameGroups = JSON.stringify([...latest.groupSlugs].sort()) === JSON.stringify(groupSlugs);
  const sameStart =
    effectiveAt > now ? latest.effectiveAt.getTime() === effectiveAt.getTime() : latest.effectiveAt <= now;
  return sameSpec && sameGroups && sameStart;
}

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
