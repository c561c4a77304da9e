export { FleetModule } from './fleet.module.js';
export { GroupsService, DeviceGroupRepository } from './groups.service.js';
