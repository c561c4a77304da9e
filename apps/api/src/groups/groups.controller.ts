import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';
import type { Actor } from '#libs/audit';
import { CurrentActor, CurrentPrincipal, SLUG_PATTERN, type Principal } from '#libs/auth';
import { GroupsService } from '#libs/fleet';
import type { DeviceGroupEntity } from '#libs/persistence';
import { GroupResponse } from './group.response.js';

export class CreateGroupDto {
  @ApiProperty({ example: 'ministere-interieur' })
  @Matches(SLUG_PATTERN, { message: 'slug must be lower-case letters, digits and dashes (at most 64)' })
  slug!: string;

  @ApiProperty({ example: 'Ministère de l’Intérieur' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;
}

const groupView = (g: DeviceGroupEntity, summary?: { devices: number; policies: string[] }) => ({
  slug: g.slug,
  name: g.name,
  createdAt: g.createdAt,
  devices: summary?.devices ?? 0,
  policies: summary?.policies ?? [],
});

@ApiTags('groups')
@ApiBearerAuth()
@Controller('v1/groups')
export class GroupsController {
  constructor(private readonly groups: GroupsService) {}

  @Post()
  async create(@CurrentActor() actor: Actor, @Body() body: CreateGroupDto) {
    return groupView(await this.groups.create(actor, body.slug, body.name));
  }

  @Get()
  @ApiOkResponse({ type: [GroupResponse] })
  async list(@CurrentPrincipal() principal: Principal) {
    const groups = await this.groups.list(principal.tenantId);
    const summaries = await this.groups.summaries(
      principal.tenantId,
      groups.map((g) => g.id),
    );
    return groups.map((g) => groupView(g, summaries.get(g.id)));
  }

  @Get(':slug')
  @ApiOkResponse({ type: GroupResponse })
  async get(@CurrentPrincipal() principal: Principal, @Param('slug') slug: string) {
    const group = await this.groups.getBySlug(principal.tenantId, slug);
    const summaries = await this.groups.summaries(principal.tenantId, [group.id]);
    return groupView(group, summaries.get(group.id));
  }
}
