export {
  APP_CATEGORIES,
  APP_LIST_KINDS,
  type AppCategory,
  type AppListKind,
  type IosIdentifier,
  type AndroidIdentifier,
  type CatalogApp,
  type AppList,
  type Catalog,
} from './types.js';
export { CatalogError, type CatalogErrorCode, type CatalogErrorDetails } from './catalog-error.js';
export {
  isValidBundleId,
  isValidPackageName,
  isValidSlug,
  MAX_BUNDLE_ID_LENGTH,
  MAX_PACKAGE_NAME_LENGTH,
} from './identifiers.js';
export { parseCatalogYaml, createCatalog, validateCatalog, type ParseOptions } from './catalog.js';
export { parseAppListYaml, validateAppList, serializeAppListYaml, type AppListOptions } from './app-list.js';
export {
  findProfilesDir,
  loadShippedProfiles,
  readCatalogFile,
  readAppListFile,
  PROFILES_DIR_NAME,
  CATALOG_FILE_NAME,
  LISTS_DIR_NAME,
  type FindProfilesDirOptions,
  type ShippedProfiles,
} from './profiles.js';
export { appChecks, needsVerification, type AppCheck, type AppCheckCode } from './app-checks.js';
export { CatalogService } from './catalog.service.js';
export { CatalogModule } from './catalog.module.js';
