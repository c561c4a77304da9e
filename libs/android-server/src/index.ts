/*
 * The Android side of the server: NestJS services that keep their state in PostgreSQL and talk to
 * the Android Management API through the pure client of #libs/android.
 */
export { AndroidServerModule } from './android-server.module.js';
export { AndroidEnterpriseService } from './android-enterprise.service.js';
export type { EnterpriseView, BoundEnterprise } from './android-enterprise.service.js';
export { AndroidGroupPoliciesService } from './group-policies.service.js';
export { AndroidEnrollmentsService } from './android-enrollments.service.js';
export type { AndroidEnrollment } from './android-enrollments.service.js';
export { AndroidDevicesService } from './android-devices.service.js';
export type { SyncResult, ApplyResult } from './android-devices.service.js';
export { AndroidNotificationsService } from './android-notifications.service.js';
export type { NotificationOutcome } from './android-notifications.service.js';
export { PushAuthenticator, PUSH_PATH } from './push-authenticator.js';
export { AndroidRolloutLegService } from './android-rollout-leg.service.js';
export type { LegResult } from './android-rollout-leg.service.js';
