import { Module } from '@nestjs/common';
import { DeviceRepository, DevicesService } from './devices.service.js';
import { EnrollmentRepository, EnrollmentsService } from './enrollments.service.js';
import { DeviceGroupRepository, GroupsService } from './groups.service.js';

@Module({
  providers: [
    DeviceGroupRepository,
    GroupsService,
    EnrollmentRepository,
    EnrollmentsService,
    DeviceRepository,
    DevicesService,
  ],
  exports: [GroupsService, EnrollmentsService, DevicesService],
})
export class FleetModule {}
