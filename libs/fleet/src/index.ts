export { FleetModule } from './fleet.module.js';
export { GroupsService, DeviceGroupRepository, unknownGroup } from './groups.service.js';
export { ADE_ENROLLMENT_CREATOR, EnrollmentsService } from './enrollments.service.js';
export type { CreatedEnrollment } from './enrollments.service.js';
export { DevicesService } from './devices.service.js';
export type { DeviceFilter, DevicePlacement, InstalledPolicyVersion } from './devices.service.js';
