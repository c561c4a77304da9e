import { Module } from '@nestjs/common';
import { AppleModule } from '#libs/apple-server';
import { RolloutsModule } from '#libs/rollouts';
import { AppListRepository, AppListsService } from './lists/app-lists.service.js';
import { PoliciesService, PolicyRepository, PolicyVersionRepository } from './policies/policies.service.js';

@Module({
  imports: [AppleModule, RolloutsModule],
  providers: [AppListRepository, AppListsService, PolicyRepository, PolicyVersionRepository, PoliciesService],
  exports: [AppListsService, PoliciesService],
})
export class PolicyModule {}
