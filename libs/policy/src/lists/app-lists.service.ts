import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { ArrayContains, DataSource, type EntityManager, Repository } from 'typeorm';
import { AuditService, type Actor } from '#libs/audit';
import {
  CatalogService,
  parseAppListYaml,
  serializeAppListYaml,
  validateAppList,
  type AppList,
} from '#libs/catalog';
import { AppListEntity, PolicyEntity, TenantScopedRepository, isUniqueViolation } from '#libs/persistence';
import { ConflictDomainException, DomainException, NotFoundDomainException } from '#libs/platform';
import { withDomainErrors } from '../domain-errors.js';

@Injectable()
export class AppListRepository extends TenantScopedRepository<AppListEntity> {
  constructor(@InjectRepository(AppListEntity) repository: Repository<AppListEntity>) {
    super(repository);
  }
}

/** A list as the API shows it: a tenant's own, or one shipped in profiles/ (read-only). */
export interface ResolvedAppList extends AppList {
  origin: 'tenant' | 'shipped';
}

const MAX_YAML_BYTES = 256 * 1024;

function toAppList(entity: AppListEntity): AppList {
  return {
    slug: entity.slug,
    name: entity.name,
    kind: entity.kind,
    ...(entity.description ? { description: entity.description } : {}),
    ...(entity.sources.length ? { sources: entity.sources } : {}),
    ...(entity.effectiveAt ? { effectiveAt: entity.effectiveAt } : {}),
    apps: entity.apps,
    bundleIds: entity.bundleIds,
    packageNames: entity.packageNames,
  };
}

function toColumns(list: AppList) {
  return {
    slug: list.slug,
    name: list.name,
    kind: list.kind,
    description: list.description ?? null,
    sources: list.sources ?? [],
    effectiveAt: list.effectiveAt ?? null,
    apps: list.apps,
    bundleIds: list.bundleIds,
    packageNames: list.packageNames,
  };
}

/**
 * Block and allow lists. A slug names the tenant's own list or, failing that, a shipped one; a tenant
 * cannot create a list under a shipped slug, so a slug always means one thing.
 */
@Injectable()
export class AppListsService {
  constructor(
    private readonly lists: AppListRepository,
    private readonly catalog: CatalogService,
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** Validates a list body (catalog slugs exist, identifiers are well-formed, not empty). */
  validate(input: unknown): Promise<AppList> {
    return withDomainErrors(() => validateAppList(input, this.catalog.catalog));
  }

  async create(actor: Actor, input: unknown): Promise<ResolvedAppList> {
    const list = await this.validate(input);
    return this.save(actor, list, false);
  }

  /** Imports a list from YAML (the format of profiles/lists); `replace` overwrites a list of the same slug. */
  async importYaml(actor: Actor, text: string, replace: boolean): Promise<ResolvedAppList> {
    if (Buffer.byteLength(text) > MAX_YAML_BYTES) {
      throw new DomainException('YAML_TOO_LARGE', `YAML list is larger than ${MAX_YAML_BYTES} bytes`, 413);
    }
    const list = await withDomainErrors(() => parseAppListYaml(text, this.catalog.catalog, { file: 'body' }));
    return this.save(actor, list, replace);
  }

  async replace(actor: Actor, slug: string, input: unknown): Promise<ResolvedAppList> {
    if (this.catalog.shippedList(slug)) throw shippedReadOnly(slug, 'replaced');
    const list = await this.validate(input);
    if (list.slug !== slug) {
      throw new DomainException(
        'SLUG_MISMATCH',
        `slug: body slug ${JSON.stringify(list.slug)} differs from the URL's ${JSON.stringify(slug)}`,
      );
    }
    if (!(await this.lists.findOne(actor.tenantId, { slug })))
      throw new NotFoundDomainException('app list', slug);
    return this.save(actor, list, true);
  }

  private async save(actor: Actor, list: AppList, replace: boolean): Promise<ResolvedAppList> {
    if (this.catalog.shippedList(list.slug)) {
      throw new ConflictDomainException(
        'SHIPPED_LIST_SLUG',
        `${JSON.stringify(list.slug)} is a shipped list; choose another slug`,
      );
    }
    try {
      await this.dataSource.transaction(async (manager) => {
        const existing = await this.lists.findOne(actor.tenantId, { slug: list.slug }, manager);
        if (existing && !replace) {
          throw new ConflictDomainException(
            'APP_LIST_EXISTS',
            `app list ${JSON.stringify(list.slug)} already exists`,
          );
        }
        if (existing) {
          await this.lists.update(actor.tenantId, { id: existing.id }, toColumns(list), manager);
        } else {
          await this.lists.insert(actor.tenantId, toColumns(list), manager);
        }
        await this.audit.record(manager, actor, {
          action: existing ? 'app_list.replace' : 'app_list.create',
          targetType: 'app_list',
          targetId: list.slug,
          before: existing ? summary(toAppList(existing)) : null,
          after: summary(list),
        });
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ConflictDomainException(
          'APP_LIST_EXISTS',
          `app list ${JSON.stringify(list.slug)} already exists`,
        );
      }
      throw error;
    }
    return { ...list, origin: 'tenant' };
  }

  async list(tenantId: string): Promise<ResolvedAppList[]> {
    const own = await this.lists.find(tenantId, {}, { order: { slug: 'ASC' } });
    return [
      ...own.map((e) => ({ ...toAppList(e), origin: 'tenant' as const })),
      ...this.catalog.shippedLists.map((l) => ({ ...l, origin: 'shipped' as const })),
    ];
  }

  async get(tenantId: string, slug: string, manager?: EntityManager): Promise<ResolvedAppList> {
    const own = await this.lists.findOne(tenantId, { slug }, manager);
    if (own) return { ...toAppList(own), origin: 'tenant' };
    const shipped = this.catalog.shippedList(slug);
    if (shipped) return { ...shipped, origin: 'shipped' };
    throw new NotFoundDomainException('app list', slug);
  }

  async exportYaml(tenantId: string, slug: string): Promise<string> {
    const { origin: _origin, ...list } = await this.get(tenantId, slug);
    return serializeAppListYaml(list);
  }

  async remove(actor: Actor, slug: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const existing = await this.lists.findOne(actor.tenantId, { slug }, manager);
      if (!existing) {
        if (this.catalog.shippedList(slug)) throw shippedReadOnly(slug, 'deleted');
        throw new NotFoundDomainException('app list', slug);
      }
      const policies = manager.getRepository(PolicyEntity);
      const users = await policies.find({
        where: [
          { tenantId: actor.tenantId, blockLists: ArrayContains([slug]) },
          { tenantId: actor.tenantId, allowLists: ArrayContains([slug]) },
        ],
      });
      if (users.length) {
        throw new ConflictDomainException(
          'APP_LIST_IN_USE',
          `app list ${JSON.stringify(slug)} is used by polic${users.length > 1 ? 'ies' : 'y'} ${users.map((p) => p.slug).join(', ')}`,
        );
      }
      await manager.getRepository(AppListEntity).delete({ id: existing.id, tenantId: actor.tenantId });
      await this.audit.record(manager, actor, {
        action: 'app_list.delete',
        targetType: 'app_list',
        targetId: slug,
        before: summary(toAppList(existing)),
      });
    });
  }
}

/** PUT and DELETE on a list shipped in profiles/: the same 409, with the way to a list of one's own. */
function shippedReadOnly(slug: string, what: 'replaced' | 'deleted'): ConflictDomainException {
  return new ConflictDomainException(
    'SHIPPED_LIST_READ_ONLY',
    `${JSON.stringify(slug)} is a shipped list, read-only: it cannot be ${what}; export it (GET /v1/app-lists/${slug}/export.yaml) and import a copy under another slug to change it`,
  );
}

function summary(list: AppList): Record<string, unknown> {
  return {
    name: list.name,
    kind: list.kind,
    apps: list.apps,
    bundleIds: list.bundleIds,
    packageNames: list.packageNames,
  };
}
