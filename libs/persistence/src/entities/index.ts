import { ApiTokenEntity } from './api-token.entity.js';
import { AuditEventEntity } from './audit-event.entity.js';
import { DeviceGroupEntity } from './device-group.entity.js';
import { OfficerEntity } from './officer.entity.js';
import { TenantEntity } from './tenant.entity.js';

export { ApiTokenEntity, AuditEventEntity, DeviceGroupEntity, OfficerEntity, TenantEntity };
export { OFFICER_ROLES } from './officer.entity.js';
export type { OfficerRole } from './officer.entity.js';

/** Every entity the data source knows; a new entity is added here and gets a migration. */
export const ENTITIES = [TenantEntity, OfficerEntity, ApiTokenEntity, AuditEventEntity, DeviceGroupEntity];
