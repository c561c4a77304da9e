import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';
import type { Actor } from '#libs/audit';
import { CurrentActor, CurrentPrincipal, SLUG_PATTERN, type Principal } from '#libs/auth';
import { GroupsService } from '#libs/fleet';
import type { DeviceGroupEntity } from '#libs/persistence';
import { ApiDoc, ApiErrors, ApiJsonBody, ApiOfficerController, ApiPathParam } from '#libs/platform';
import { GroupResponse } from './groups.openapi.js';

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
@ApiOfficerController()
@Controller('v1/groups')
export class GroupsController {
  constructor(private readonly groups: GroupsService) {}

  @Post()
  @ApiDoc(
    'Create a device group',
    'A group gathers the phones that get the same policies (a ministry, a service). Enrollments name the group their phones join; policies name the groups they apply to. Officer or above; audited.',
  )
  @ApiJsonBody(CreateGroupDto, {
    ministry: { value: { slug: 'ministere-interieur', name: 'Ministère de l’Intérieur' } },
  })
  @ApiResponse({ status: 201, type: GroupResponse, description: 'the new group' })
  @ApiErrors(400, 403, 409)
  async create(@CurrentActor() actor: Actor, @Body() body: CreateGroupDto) {
    return groupView(await this.groups.create(actor, body.slug, body.name));
  }

  @Get()
  @ApiDoc('List the device groups', 'Every group of your tenant. Any role.')
  @ApiResponse({ status: 200, type: [GroupResponse], description: 'the groups' })
  async list(@CurrentPrincipal() principal: Principal) {
    const groups = await this.groups.list(principal.tenantId);
    const summaries = await this.groups.summaries(
      principal.tenantId,
      groups.map((g) => g.id),
    );
    return groups.map((g) => groupView(g, summaries.get(g.id)));
  }

  @Get(':slug')
  @ApiDoc(
    'Read one device group',
    'A group of your tenant by slug; another tenant’s slug is a 404. Any role.',
  )
  @ApiPathParam('slug', 'slug of a group', 'ministere-interieur')
  @ApiResponse({ status: 200, type: GroupResponse, description: 'the group' })
  @ApiErrors(404)
  async get(@CurrentPrincipal() principal: Principal, @Param('slug') slug: string) {
    const group = await this.groups.getBySlug(principal.tenantId, slug);
    const summaries = await this.groups.summaries(principal.tenantId, [group.id]);
    return groupView(group, summaries.get(group.id));
  }
}
