import { ApiTokenEntity } from './api-token.entity.js';
import { AppListEntity } from './app-list.entity.js';
import { AuditEventEntity } from './audit-event.entity.js';
import { DeviceGroupEntity } from './device-group.entity.js';
import { OfficerEntity } from './officer.entity.js';
import { PolicyVersionEntity } from './policy-version.entity.js';
import { PolicyEntity } from './policy.entity.js';
import { SigningIdentityEntity } from './signing-identity.entity.js';
import { TenantEntity } from './tenant.entity.js';

export {
  ApiTokenEntity,
  AppListEntity,
  AuditEventEntity,
  DeviceGroupEntity,
  OfficerEntity,
  PolicyEntity,
  PolicyVersionEntity,
  SigningIdentityEntity,
  TenantEntity,
};
export { POLICY_MODES } from './policy.entity.js';
export type { PolicyMode } from './policy.entity.js';
export { OFFICER_ROLES } from './officer.entity.js';
export type { OfficerRole } from './officer.entity.js';

/** Every entity the data source knows; a new entity is added here and gets a migration. */
export const ENTITIES = [
  TenantEntity,
  OfficerEntity,
  ApiTokenEntity,
  AuditEventEntity,
  DeviceGroupEntity,
  AppListEntity,
  PolicyEntity,
  PolicyVersionEntity,
  SigningIdentityEntity,
];
