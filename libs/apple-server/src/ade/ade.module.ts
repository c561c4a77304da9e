import { Module } from '@nestjs/common';
import { FleetModule } from '#libs/fleet';
import { AppleMdmModule } from '../mdm-server/apple-mdm.module.js';
import { AdeAccountRepository } from './ade-account.repository.js';
import { AdeAccountsService } from './ade-accounts.service.js';
import { AdeAssignmentService } from './ade-assignment.service.js';
import { AdeDevicesService } from './ade-devices.service.js';
import { AdeEnrollmentService } from './ade-enrollment.service.js';
import { AdeSessionStores } from './ade-session.store.js';
import { AdeSyncService } from './ade-sync.service.js';

/** Apple Automated Device Enrollment: the ABM token, device sync and assignment, Setup Assistant enrollment. */
@Module({
  imports: [AppleMdmModule, FleetModule],
  providers: [
    AdeAccountRepository,
    AdeSessionStores,
    AdeAccountsService,
    AdeAssignmentService,
    AdeSyncService,
    AdeDevicesService,
    AdeEnrollmentService,
  ],
  exports: [AdeAccountsService, AdeSyncService, AdeDevicesService, AdeEnrollmentService],
})
export class AdeModule {}
