import { Body, Controller, Get, Param, Patch, Post, Query, Res, StreamableFile } from '@nestjs/common';
import {
  ApiProperty,
  ApiPropertyOptional,
  ApiQuery,
  ApiResponse,
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
import {
  ApiDoc,
  ApiErrors,
  ApiFileResponse,
  ApiJsonBody,
  ApiOfficerController,
  ApiPathParam,
  BoundedIntPipe,
  CannotChange,
  IsIsoDateTime,
} from '#libs/platform';
import {
  PolicyDiffResponse,
  PolicyImpactResponse,
  PolicyResponse,
  PolicyVersionResponse,
  PublishedVersionResponse,
} from './policies.openapi.js';
import { PoliciesService, PolicyImpactService, policyWarnings, type VersionContents } from '#libs/policy';

const policySlug = ApiPathParam('slug', 'slug of a policy of your tenant', 'messageries-2023');
const versionNumber = ApiPathParam('n', 'a published version number (1, 2, ...)', 1);

const POLICY_EXAMPLE = {
  slug: 'messageries-2023',
  name: 'Messageries grand public interdites',
  description: 'Circulaire du 22 novembre 2023 : seules Olvid et Tchap restent autorisées.',
  groups: ['ministere-interieur'],
  blockLists: ['fr-gov-2023-messaging'],
  allowLists: ['fr-gov-2023-messaging-approved'],
  effectiveAt: '2023-12-08T00:00:00+01:00',
};

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

  @ApiProperty({ type: [String], description: 'device group slugs', example: ['ministere-interieur'] })
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
@ApiOfficerController()
@Controller('v1/policies')
export class PoliciesController {
  constructor(
    private readonly policies: PoliciesService,
    private readonly impacts: PolicyImpactService,
  ) {}

  @Post()
  @ApiDoc(
    'Create a policy',
    'A policy applies block lists (and allow lists) to device groups from `effectiveAt`. Nothing reaches a phone until a version is published (`POST /v1/policies/{slug}/versions`). Officer or above; audited.',
  )
  @ApiJsonBody(CreatePolicyDto, { 'french-messaging-ban': { value: POLICY_EXAMPLE } })
  @ApiResponse({ status: 201, type: PolicyResponse, description: 'the new policy' })
  @ApiErrors(400, 403, 404, 409)
  async create(@CurrentActor() actor: Actor, @Body() body: CreatePolicyDto) {
    const created = await this.policies.create(actor, body);
    return policyView(await this.policies.get(actor.tenantId, created.slug));
  }

  @Get()
  @ApiDoc('List the policies', 'Every policy of your tenant with its latest published version. Any role.')
  @ApiResponse({ status: 200, type: [PolicyResponse], description: 'the policies' })
  async list(@CurrentPrincipal() principal: Principal) {
    return (await this.policies.list(principal.tenantId)).map(policyView);
  }

  @Get(':slug')
  @ApiDoc('Read one policy', 'The policy as it is now (the next version would publish this). Any role.')
  @policySlug
  @ApiResponse({ status: 200, type: PolicyResponse, description: 'the policy' })
  @ApiErrors(404)
  async get(@CurrentPrincipal() principal: Principal, @Param('slug') slug: string) {
    return policyView(await this.policies.get(principal.tenantId, slug));
  }

  @Patch(':slug')
  @ApiDoc(
    'Change a policy',
    'Only the fields sent change; published versions do not (publish again to roll the change out). Officer or above; audited.',
  )
  @policySlug
  @ApiJsonBody(UpdatePolicyDto, {
    'add a list': { value: { blockLists: ['fr-gov-2023-messaging', 'ministere-messaging-ban'] } },
    postpone: { value: { effectiveAt: '2024-01-02T08:00:00+01:00' } },
  })
  @ApiResponse({ status: 200, type: PolicyResponse, description: 'the policy as changed' })
  @ApiErrors(400, 403, 404, 409)
  async update(@CurrentActor() actor: Actor, @Param('slug') slug: string, @Body() body: UpdatePolicyDto) {
    const { slug: _refusedByValidation, ...patch } = body;
    await this.policies.update(actor, slug, patch);
    return policyView(await this.policies.get(actor.tenantId, slug));
  }

  @Get(':slug/impact')
  @ApiDoc(
    'Preview what publishing would block',
    'Before publishing: on how many devices the next version would newly block apps, which apps, where, and how many of those are unsupervised iPhones (where Apple does not enforce the block). From the inventories already reported. Any role.',
  )
  @policySlug
  @ApiResponse({ status: 200, type: PolicyImpactResponse, description: 'the impact of the next version' })
  @ApiErrors(404)
  impact(@CurrentPrincipal() principal: Principal, @Param('slug') slug: string) {
    return this.impacts.impact(principal.tenantId, slug);
  }

  @Post(':slug/versions')
  @ApiDoc(
    'Publish the next version of a policy',
    'Resolves the lists as they are now into an immutable version, compiles and signs the iOS profile and the Android policy once, and starts a rollout to the policy’s groups at `effectiveAt` (`GET /v1/rollouts/{rolloutId}` follows it). The answer lists the apps by name and identifier with what to check (`contents`). When nothing changed since the latest version (apps, groups, effective date, signing identity), no version is made: 200 with that version and `unchanged: true`, unless `force` (query or body). Officer or above; audited.',
  )
  @policySlug
  @ApiJsonBody(PublishVersionDto, {
    publish: { summary: 'the next version, if anything changed', value: {} },
    force: { summary: 'a new version even if identical', value: { force: true } },
  })
  @ApiResponse({
    status: 201,
    type: PublishedVersionResponse,
    description: 'the new version and its rollout',
  })
  @ApiResponse({
    status: 200,
    type: PublishedVersionResponse,
    description: 'nothing changed: the latest version, `unchanged: true`',
  })
  @ApiErrors(400, 403, 404, 409)
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
  @ApiDoc(
    'List the published versions of a policy',
    'Every version, oldest first, with what it resolved to and its apps in words (`contents`). Any role.',
  )
  @policySlug
  @ApiResponse({ status: 200, type: [PolicyVersionResponse], description: 'the versions' })
  @ApiErrors(404)
  async versions(@CurrentPrincipal() principal: Principal, @Param('slug') slug: string) {
    return (await this.policies.listVersions(principal.tenantId, slug)).map((v) =>
      versionView(v, this.policies.contents(v)),
    );
  }

  @Get(':slug/versions/:n')
  @ApiDoc(
    'Read one published version',
    'What version `n` contains: groups, resolved identifiers, list snapshots, artifact hashes, and its apps by name with what to check (`contents`). Any role.',
  )
  @policySlug
  @versionNumber
  @ApiResponse({ status: 200, type: PolicyVersionResponse, description: 'the version' })
  @ApiErrors(400, 404)
  async version(
    @CurrentPrincipal() principal: Principal,
    @Param('slug') slug: string,
    @Param('n', new BoundedIntPipe()) n: number,
  ) {
    const version = await this.policies.version(principal.tenantId, slug, n);
    return versionView(version, this.policies.contents(version));
  }

  @Get(':slug/versions/:n/diff')
  @ApiDoc(
    'Compare two published versions',
    'Identifiers added and removed per platform going from version `against` to version `n`, and whether the mode changed. Any role.',
  )
  @policySlug
  @versionNumber
  @ApiQuery({
    name: 'against',
    required: true,
    schema: { type: 'integer', minimum: 1, example: 1 },
    description: 'the version to compare with',
  })
  @ApiResponse({ status: 200, type: PolicyDiffResponse, description: 'the differences' })
  @ApiErrors(400, 404)
  diff(
    @CurrentPrincipal() principal: Principal,
    @Param('slug') slug: string,
    @Param('n', new BoundedIntPipe()) n: number,
    @Query('against', new BoundedIntPipe()) against: number,
  ) {
    return this.policies.diff(principal.tenantId, slug, n, against);
  }

  @Get(':slug/versions/:n/profile.mobileconfig')
  @ApiDoc(
    'Download the signed iOS profile of a version',
    'The Apple configuration profile (`.mobileconfig`, CMS SignedData in DER) signed by your tenant’s signing identity, as phones receive it; `ETag` is its SHA-256. Any role.',
  )
  @policySlug
  @versionNumber
  @ApiFileResponse(200, 'application/x-apple-aspen-config', 'the signed profile')
  @ApiErrors(400, 404)
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
  @ApiDoc(
    'Download the Android policy of a version',
    'The Android Management API `Policy` JSON this version sends to the enterprise; `ETag` is its SHA-256. Any role.',
  )
  @policySlug
  @versionNumber
  @ApiResponse({
    status: 200,
    description: 'the AMAPI Policy',
    content: { 'application/json': { schema: { type: 'object', additionalProperties: true } } },
  })
  @ApiErrors(400, 404)
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
