import { Module } from '@nestjs/common';
import { FleetModule } from '#libs/fleet';
import { DeliveryTrackingModule } from '#libs/rollouts';
import { AppleModule } from '../tenant-signing/apple.module.js';
import { AppleEnrollmentService } from './apple-enrollment.service.js';
import { AppleMdmService } from './apple-mdm.service.js';
import { DeviceCertificatesService } from './device-certificates.service.js';
import { MdmCommandRepository, MdmCommandsService } from './mdm-commands.service.js';
import { PushCertificatesService } from './push-certificates.service.js';
import { SignedRequestReplayGuard } from './signed-request-replay-guard.js';

/** The Apple MDM server side: enrollment profiles, SCEP, check-in, command queue, push certificates. */
@Module({
  imports: [AppleModule, FleetModule, DeliveryTrackingModule],
  providers: [
    MdmCommandRepository,
    MdmCommandsService,
    AppleMdmService,
    AppleEnrollmentService,
    PushCertificatesService,
    DeviceCertificatesService,
    SignedRequestReplayGuard,
  ],
  exports: [
    MdmCommandsService,
    AppleMdmService,
    AppleEnrollmentService,
    PushCertificatesService,
    DeviceCertificatesService,
  ],
})
export class AppleMdmModule {}
