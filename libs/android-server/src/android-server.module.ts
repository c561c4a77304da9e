import { Module } from '@nestjs/common';
import { FleetModule } from '#libs/fleet';
import { AndroidDevicesService } from './android-devices.service.js';
import { AndroidEnrollmentsService } from './android-enrollments.service.js';
import { AndroidEnterpriseService } from './android-enterprise.service.js';
import { AndroidNotificationsService } from './android-notifications.service.js';
import { AndroidRolloutLegService } from './android-rollout-leg.service.js';
import { AndroidGroupPoliciesService } from './group-policies.service.js';
import { PushAuthenticator } from './push-authenticator.js';

/** The Android side of the server: enterprise binding, group policies, enrollments, notifications, sync. */
@Module({
  imports: [FleetModule],
  providers: [
    AndroidEnterpriseService,
    AndroidGroupPoliciesService,
    AndroidEnrollmentsService,
    AndroidDevicesService,
    AndroidNotificationsService,
    PushAuthenticator,
    AndroidRolloutLegService,
  ],
  exports: [
    AndroidEnterpriseService,
    AndroidGroupPoliciesService,
    AndroidEnrollmentsService,
    AndroidDevicesService,
    AndroidNotificationsService,
    PushAuthenticator,
    AndroidRolloutLegService,
  ],
})
export class AndroidServerModule {}
