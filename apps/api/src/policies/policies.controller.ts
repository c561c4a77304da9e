import { Body, Controller, Get, Param, Patch, Post, Query, Res, StreamableFile } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
  OmitType,
  PartialType,
} from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import type { Response } from 'express';
import {
  ArrayNotEmpty,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
} from 'class-validator';
import type { Actor } from '#libs/audit';
import { CurrentActor, CurrentPrincipal, SLUG_PATTERN, type Principal } from '#libs/auth';
import {
  POLICY_MODES,
  type PolicyEntity,
  type PolicyMode,
  type PolicyVersionEntity,
} from '#libs/persistence';
import { BoundedIntPipe, CannotChange, IsIsoDateTime } from '#libs/platform';
import { PoliciesService, PolicyImpactService, policyWarnings, type VersionContents } from '#libs/policy';
import { PolicyResponse, PolicyVersionResponse, PublishedVersionResponse } from './policy-responses.js';

export class CreatePolicyDto {
  @ApiProperty({ example: 'messageries-2023' })
  @Matches(SLUG_PATTERN, { message: 'slug must be lower-case letters, digits and dashes (at most 64)' })
  slug!: string;

  @ApiProperty({ example: 'Messageries grand public interdites' })
  @IsString()
  @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({ description: 'shown to phone users in the profile' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string;

  @ApiProperty({ type: [String], description: 'device group slugs' })
  @IsArray()
  @ArrayNotEmpty({ message: 'groups must name at least one group' })
  @IsString({ each: true })
  groups!: string[];

  @ApiProperty({
    type: [String],
    description: 'block list slugs (own or shipped)',
    example: ['fr-gov-2023-messaging'],
  })
  @IsArray()
  @IsString({ each: true })
  blockLists!: string[];

  @ApiPropertyOptional({ type: [String], example: ['fr-gov-2023-messaging-approved'] })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  allowLists?: string[];

  @ApiPropertyOptional({
    type: [String],
    description: 'catalog slugs of approved apps to force-install on Android',
  })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  forceInstall?: string[];

  @ApiPropertyOptional({ enum: POLICY_MODES, default: 'blocklist' })
  @IsOptional()
  @IsIn(POLICY_MODES, { message: 'mode must be blocklist or allowlist' })
  mode?: PolicyMode;

  @ApiPropertyOptional({ description: 'also emit the deprecated pre-iOS 15 keys', default: false })
  @IsOptional()
  @IsBoolean()
  includeLegacyIosKeys?: boolean;

  @ApiPropertyOptional({ example: '2023-12-08T00:00:00+01:00' })
  @IsOptional()
  @IsIsoDateTime()
  effectiveAt?: Date;
}

/** Every field of a policy but its slug, which is its address: a PATCH naming `slug` is refused. */
export class UpdatePolicyDto extends PartialType(OmitType(CreatePolicyDto, ['slug'] as const)) {
  @ApiPropertyOptional({ type: String, deprecated: true, description: 'refused: a policy keeps its slug' })
  @CannotChange('a policy keeps its slug (create a new policy to use another one)')
  slug?: never;
}

const toBoolean = ({ value }: { value: unknown }) =>
  value === 'true' ? true : value === 'false' ? false : value;

export class PublishVersionDto {
  @ApiPropertyOptional({
    default: false,
    description: 'publish even when the version would be identical to the latest',
  })
  @IsOptional()
  @IsBoolean({ message: 'force must be true or false' })
  force?: boolean;
}

export class PublishVersionQuery {
  @ApiPropertyOptional({ default: false, description: 'same as the body field `force`' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'force must be true or false' })
  force?: boolean;
}

const policyView = (p: PolicyEntity) => ({
  slug: p.slug,
  name: p.name,
  description: p.description,
  mode: p.mode,
  includeLegacyIosKeys: p.includeLegacyIosKeys,
  groups: (p.groups ?? []).map((g) => g.slug).sort(),
  blockLists: p.blockLists,
  allowLists: p.allowLists,
  forceInstall: p.forceInstall,
  effectiveAt: p.effectiveAt,
  latestVersion: p.latestVersion,
  createdAt: p.createdAt,
  updatedAt: p.updatedAt,
  warnings: policyWarnings(p),
});

const versionView = (v: PolicyVersionEntity, contents: VersionContents) => ({
  version: v.version,
  effectiveAt: v.effectiveAt,
  publishedAt: v.publishedAt,
  publishedBy: v.publishedBy,
  groups: v.groupSlugs,
  banSpec: v.banSpec,
  lists: v.listSnapshots,
  artifacts: {
    iosProfileSha256: v.iosProfileSha256,
    signedIosProfileSha256: v.signedIosProfileSha256,
    androidPolicySha256: v.androidPolicySha256,
  },
  contents,
});

@ApiTags('policies')
@ApiBearerAuth()
@Controller('v1/policies')
export class PoliciesController {
  constructor(
    private readonly policies: PoliciesService,
    private readonly impacts: PolicyImpactService,
  ) {}

  @Post()
  @ApiCreatedResponse({ type: PolicyResponse })
  async create(@CurrentActor() actor: Actor, @Body() body: CreatePolicyDto) {
    const created = await this.policies.create(actor, body);
    return policyView(await this.policies.get(actor.tenantId, created.slug));
  }

  @Get()
  @ApiOkResponse({ type: [PolicyResponse] })
  async list(@CurrentPrincipal() principal: Principal) {
    return (await this.policies.list(principal.tenantId)).map(policyView);
  }

  @Get(':slug')
  @ApiOkResponse({ type: PolicyResponse })
  async get(@CurrentPrincipal() principal: Principal, @Param('slug') slug: string) {
    return policyView(await this.policies.get(principal.tenantId, slug));
  }

  @Patch(':slug')
  @ApiOkResponse({ type: PolicyResponse })
  async update(@CurrentActor() actor: Actor, @Param('slug') slug: string, @Body() body: UpdatePolicyDto) {
    const { slug: _refusedByValidation, ...patch } = body;
    await this.policies.update(actor, slug, patch);
    return policyView(await this.policies.get(actor.tenantId, slug));
  }

  @Get(':slug/impact')
  @ApiOperation({
    summary:
      'Before publishing: on how many devices the next version would newly block apps, which apps, where, and how many of those are unsupervised iPhones',
  })
  impact(@CurrentPrincipal() principal: Principal, @Param('slug') slug: string) {
    return this.impacts.impact(principal.tenantId, slug);
  }

  @Post(':slug/versions')
  @ApiOperation({
    summary: 'Publish the next immutable version: resolve lists, compile and sign both platforms once',
  })
  @ApiCreatedResponse({ type: PublishedVersionResponse, description: 'a new version was published' })
  @ApiOkResponse({
    type: PublishedVersionResponse,
    description: 'nothing changed since the latest version, which is returned (`unchanged: true`)',
  })
  async publish(
    @CurrentActor() actor: Actor,
    @Param('slug') slug: string,
    @Query() query: PublishVersionQuery,
    @Body() body: PublishVersionDto,
    @Res({ passthrough: true }) res: Response,
  ) {
    const published = await this.policies.publish(actor, slug, { force: body.force ?? query.force });
    res.status(published.unchanged ? 200 : 201);
    return published;
  }

  @Get(':slug/versions')
  @ApiOkResponse({ type: [PolicyVersionResponse] })
  async versions(@CurrentPrincipal() principal: Principal, @Param('slug') slug: string) {
    return (await this.policies.listVersions(principal.tenantId, slug)).map((v) =>
      versionView(v, this.policies.contents(v)),
    );
  }

  @Get(':slug/versions/:n')
  @ApiOkResponse({ type: PolicyVersionResponse })
  async version(
    @CurrentPrincipal() principal: Principal,
    @Param('slug') slug: string,
    @Param('n', new BoundedIntPipe()) n: number,
  ) {
    const version = await this.policies.version(principal.tenantId, slug, n);
    return versionView(version, this.policies.contents(version));
  }

  @Get(':slug/versions/:n/diff')
  @ApiOperation({ summary: 'Identifiers added and removed per platform since version `against`' })
  diff(
    @CurrentPrincipal() principal: Principal,
    @Param('slug') slug: string,
    @Param('n', new BoundedIntPipe()) n: number,
    @Query('against', new BoundedIntPipe()) against: number,
  ) {
    return this.policies.diff(principal.tenantId, slug, n, against);
  }

  @Get(':slug/versions/:n/profile.mobileconfig')
  @ApiOperation({ summary: 'The signed Apple configuration profile (CMS SignedData, DER)' })
  async profile(
    @CurrentPrincipal() principal: Principal,
    @Param('slug') slug: string,
    @Param('n', new BoundedIntPipe()) n: number,
    @Res({ passthrough: true }) res: Response,
  ) {
    const version = await this.policies.version(principal.tenantId, slug, n);
    res.setHeader('Content-Type', 'application/x-apple-aspen-config');
    res.setHeader('Content-Disposition', `attachment; filename="${slug}-v${n}.mobileconfig"`);
    res.setHeader('ETag', `"${version.signedIosProfileSha256}"`);
    return new StreamableFile(version.signedIosProfile);
  }

  @Get(':slug/versions/:n/android-policy.json')
  @ApiOperation({ summary: 'The Android Management API Policy of this version' })
  async androidPolicy(
    @CurrentPrincipal() principal: Principal,
    @Param('slug') slug: string,
    @Param('n', new BoundedIntPipe()) n: number,
    @Res({ passthrough: true }) res: Response,
  ) {
    const version = await this.policies.version(principal.tenantId, slug, n);
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('ETag', `"${version.androidPolicySha256}"`);
    return new StreamableFile(version.androidPolicy);
  }
}
