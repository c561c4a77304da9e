import {
  AndroidEnterpriseEntity,
  AndroidNotificationEntity,
  AndroidSignupEntity,
} from './android-enterprise.entity.js';
import { AndroidGroupPolicyEntity } from './android-group-policy.entity.js';
import { AndroidPolicyPublicationEntity } from './android-policy-publication.entity.js';
import { AdeAccountEntity } from './ade-account.entity.js';
import { AdeDeviceEntity } from './ade-device.entity.js';
import { ApiTokenEntity } from './api-token.entity.js';
import { ConsoleSessionEntity } from './console-session.entity.js';
import { AppListEntity } from './app-list.entity.js';
import { AuditEventEntity } from './audit-event.entity.js';
import { DeviceGroupEntity } from './device-group.entity.js';
import { DeviceAppEntity, DeviceProfileEntity } from './device-inventory.entity.js';
import { DeviceEntity } from './device.entity.js';
import { EnrollmentEntity } from './enrollment.entity.js';
import { MdmCommandEntity } from './mdm-command.entity.js';
import { PushCertificateEntity } from './push-certificate.entity.js';
import { ScepChallengeEntity } from './scep-challenge.entity.js';
import { TenantCaEntity } from './tenant-ca.entity.js';
import { OfficerEntity } from './officer.entity.js';
import { PolicyVersionEntity } from './policy-version.entity.js';
import { PolicyEntity } from './policy.entity.js';
import { SigningIdentityEntity } from './signing-identity.entity.js';
import { TenantEntity } from './tenant.entity.js';
import { RolloutEntity } from './rollout.entity.js';
import { DeliveryEntity } from './delivery.entity.js';
import {
  ComplianceHistoryEntity,
  ComplianceSnapshotEntity,
  DeviceComplianceEntity,
} from './compliance.entity.js';
import { WebhookDeliveryEntity, WebhookEntity } from './webhook.entity.js';

export {
  DeviceComplianceEntity,
  ComplianceHistoryEntity,
  ComplianceSnapshotEntity,
  WebhookEntity,
  WebhookDeliveryEntity,
  AndroidEnterpriseEntity,
  AndroidGroupPolicyEntity,
  AndroidNotificationEntity,
  AndroidPolicyPublicationEntity,
  AndroidSignupEntity,
  RolloutEntity,
  DeliveryEntity,
  AdeAccountEntity,
  AdeDeviceEntity,
  DeviceAppEntity,
  DeviceEntity,
  DeviceProfileEntity,
  EnrollmentEntity,
  MdmCommandEntity,
  PushCertificateEntity,
  ScepChallengeEntity,
  TenantCaEntity,
  ApiTokenEntity,
  ConsoleSessionEntity,
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
  ConsoleSessionEntity,
  AuditEventEntity,
  DeviceGroupEntity,
  AppListEntity,
  PolicyEntity,
  PolicyVersionEntity,
  SigningIdentityEntity,
  TenantCaEntity,
  PushCertificateEntity,
  EnrollmentEntity,
  ScepChallengeEntity,
  DeviceEntity,
  DeviceAppEntity,
  DeviceProfileEntity,
  MdmCommandEntity,
  AndroidEnterpriseEntity,
  AndroidSignupEntity,
  AndroidNotificationEntity,
  AndroidGroupPolicyEntity,
  AndroidPolicyPublicationEntity,
  RolloutEntity,
  DeliveryEntity,
  DeviceComplianceEntity,
  ComplianceHistoryEntity,
  ComplianceSnapshotEntity,
  WebhookEntity,
  WebhookDeliveryEntity,
  AdeAccountEntity,
  AdeDeviceEntity,
];
export { PLATFORMS } from './enrollment.entity.js';
export type { Platform } from './enrollment.entity.js';
export { DEVICE_STATUSES } from './device.entity.js';
export type { DeviceStatus } from './device.entity.js';
export { MDM_COMMAND_STATUSES } from './mdm-command.entity.js';
export type { MdmCommandStatus } from './mdm-command.entity.js';
export { ROLLOUT_STATES } from './rollout.entity.js';
export type { RolloutState } from './rollout.entity.js';
export { DELIVERY_STATES, OPEN_DELIVERY_STATES } from './delivery.entity.js';
export type { DeliveryState } from './delivery.entity.js';
export { COMPLIANCE_STATUSES } from './compliance.entity.js';
export type { ComplianceStatus } from './compliance.entity.js';
export { WEBHOOK_EVENTS, WEBHOOK_DELIVERY_STATES } from './webhook.entity.js';
export type { WebhookEvent, WebhookDeliveryState } from './webhook.entity.js';
export { ADE_BLOCKING_STATES } from './ade-account.entity.js';
export type { AdeAssignmentRule, AdeBlockingState } from './ade-account.entity.js';
export { ADE_ASSIGNMENT_STATUSES } from './ade-device.entity.js';
export type { AdeAssignmentStatus } from './ade-device.entity.js';
