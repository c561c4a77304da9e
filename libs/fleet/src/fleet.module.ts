import { Module } from '@nestjs/common';
import { DeviceGroupRepository, GroupsService } from './groups.service.js';

@Module({ providers: [DeviceGroupRepository, GroupsService], exports: [GroupsService] })
export class FleetModule {}
