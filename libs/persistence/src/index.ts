export * from './entities/index.js';
export { MIGRATIONS } from './migrations/index.js';
export { createDataSource, dataSourceOptions, MIGRATIONS_TABLE } from './data-source.js';
export { ensureDatabase, runMigrationsLocked, DatabaseUnavailableError } from './database-bootstrap.js';
export { prepareDatabase } from './prepare-database.js';
export { TenantScopedRepository } from './tenant-scoped.repository.js';
export type { TenantOwned } from './tenant-scoped.repository.js';
export { isUniqueViolation } from './db-errors.js';
export { PersistenceModule } from './persistence.module.js';
