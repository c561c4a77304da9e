import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { loadShippedProfiles, type ShippedProfiles } from './profiles.js';
import type { AppList, Catalog } from './types.js';

/**
 * The app catalog and the shipped lists of `profiles/`, read and validated once when the process
 * starts (a bad file stops the start naming the file and field). They change with deployments, not
 * at run time; tenants' own lists are in the database.
 */
@Injectable()
export class CatalogService implements OnModuleInit {
  private shipped?: ShippedProfiles;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async onModuleInit() {
    this.shipped = await loadShippedProfiles(this.config.PROFILES_DIR || undefined);
  }

  private get loaded(): ShippedProfiles {
    if (!this.shipped) throw new Error('CatalogService used before the module was initialised');
    return this.shipped;
  }

  get catalog(): Catalog {
    return this.loaded.catalog;
  }

  get shippedLists(): readonly AppList[] {
    return this.loaded.lists;
  }

  shippedList(slug: string): AppList | undefined {
    return this.loaded.lists.find((list) => list.slug === slug);
  }
}
