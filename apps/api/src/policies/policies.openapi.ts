import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { POLICY_MODES, type PolicyMode } from '#libs/persistence';
import { VersionContentsResponse } from './version-contents.openapi.js';

export class PolicyResponse {
  @ApiProperty({ example: 'messageries-2023' })
  slug!: string;

  @ApiProperty({ example: 'Messageries grand public interdites' })
  name!: string;

  @ApiProperty({ type: String, nullable: true, description: 'shown to phone users in the profile' })
  description!: string | null;

  @ApiProperty({ enum: POLICY_MODES })
  mode!: PolicyMode;

  @ApiProperty({ description: 'also emit the deprecated pre-iOS 15 keys' })
  includeLegacyIosKeys!: boolean;

  @ApiProperty({ type: [String], example: ['ministere-interieur'], description: 'group slugs' })
  groups!: string[];

  @ApiProperty({ type: [String], example: ['fr-gov-2023-messaging'] })
  blockLists!: string[];

  @ApiProperty({ type: [String], example: ['fr-gov-2023-messaging-approved'] })
  allowLists!: string[];

  @ApiProperty({ type: [String], description: 'catalog slugs force-installed on Android' })
  forceInstall!: string[];

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  effectiveAt!: Date | null;

  @ApiProperty({ type: Number, nullable: true, description: 'null until the first publication' })
  latestVersion!: number | null;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: Date;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt!: Date;

  @ApiProperty({
    type: [String],
    description:
      'what to know, not errors: e.g. an effectiveAt in the past (the next version takes effect at once)',
  })
  warnings!: string[];
}

class VersionArtifactsResponse {
  @ApiProperty({ description: 'SHA-256 (hex) of the unsigned iOS profile' })
  iosProfileSha256!: string;

  @ApiProperty({ description: 'SHA-256 (hex) of the signed .mobileconfig (its ETag)' })
  signedIosProfileSha256!: string;

  @ApiProperty({ description: 'SHA-256 (hex) of the Android policy JSON (its ETag)' })
  androidPolicySha256!: string;
}

export class PolicyVersionResponse {
  @ApiProperty({ example: 1 })
  version!: number;

  @ApiProperty({ type: String, format: 'date-time' })
  effectiveAt!: Date;

  @ApiProperty({ type: String, format: 'date-time' })
  publishedAt!: Date;

  @ApiProperty({ example: 'rssi@interieur.gouv.fr' })
  publishedBy!: string;

  @ApiProperty({ type: [String], description: 'the groups it was published to' })
  groups!: string[];

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'the resolved identifiers per platform both compilers took (mode, ios, android)',
  })
  banSpec!: Record<string, unknown>;

  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: 'the lists as they were at publication',
  })
  lists!: Record<string, unknown>[];

  @ApiProperty({ type: VersionArtifactsResponse })
  artifacts!: VersionArtifactsResponse;
  @ApiProperty({
    type: VersionContentsResponse,
    description: 'the apps by name and identifier per platform, and what to check about them',
  })
  contents!: VersionContentsResponse;
}

export class PublishedVersionResponse {
  @ApiProperty({ example: 2 })
  version!: number;

  @ApiProperty({
    format: 'uuid',
    description: 'the rollout bringing it to the phones: `GET /v1/rollouts/{id}`',
  })
  rolloutId!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  effectiveAt!: Date;

  @ApiProperty({
    description:
      'true: identical to the latest version (apps, groups, effective date, signing identity), which is returned with status 200; publish anyway with `force`',
  })
  unchanged!: boolean;

  @ApiProperty({ example: 'version 2 published; it takes effect now' })
  message!: string;

  @ApiProperty({ type: VersionContentsResponse })
  contents!: VersionContentsResponse;
}

class PlatformIdentifiers {
  @ApiProperty({ type: [String], example: ['net.whatsapp.WhatsApp'] })
  ios!: string[];

  @ApiProperty({ type: [String], example: ['com.whatsapp'] })
  android!: string[];
}

class GroupDevicesResponse {
  @ApiProperty({ example: 'ministere-interieur' })
  group!: string;

  @ApiProperty({ example: 120 })
  devices!: number;
}

class ImpactAppResponse {
  @ApiProperty({ enum: ['ios', 'android'] })
  platform!: 'ios' | 'android';

  @ApiProperty({ example: 'net.whatsapp.WhatsApp' })
  identifier!: string;

  @ApiProperty({ type: String, nullable: true, example: 'whatsapp', description: 'catalog slug, when known' })
  app!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'WhatsApp' })
  name!: string | null;

  @ApiProperty()
  devices!: number;

  @ApiProperty()
  groups!: number;

  @ApiProperty()
  unsupervisedIphones!: number;
}

export class PolicyImpactResponse {
  @ApiProperty({ example: 'messageries-2023' })
  policy!: string;

  @ApiProperty({ type: Number, nullable: true })
  currentVersion!: number | null;

  @ApiProperty()
  nextVersion!: number;

  @ApiProperty({ enum: POLICY_MODES })
  mode!: PolicyMode;

  @ApiProperty({ type: PlatformIdentifiers, description: 'identifiers the next version newly blocks' })
  newlyBlocked!: PlatformIdentifiers;

  @ApiProperty({ description: 'enrolled devices on which it would block an installed app' })
  devices!: number;

  @ApiProperty({ description: 'of those, iPhones not supervised: Apple will not enforce the block there' })
  unsupervisedIphones!: number;

  @ApiProperty({ type: [GroupDevicesResponse] })
  groups!: GroupDevicesResponse[];

  @ApiProperty({ type: [ImpactAppResponse] })
  apps!: ImpactAppResponse[];
}

class IdentifierChangesResponse {
  @ApiProperty({ type: [String] })
  added!: string[];

  @ApiProperty({ type: [String] })
  removed!: string[];
}

class IosChangesResponse {
  @ApiProperty({ type: IdentifierChangesResponse })
  blocked!: IdentifierChangesResponse;

  @ApiProperty({ type: IdentifierChangesResponse })
  allowed!: IdentifierChangesResponse;
}

class AndroidChangesResponse extends IosChangesResponse {
  @ApiProperty({ type: IdentifierChangesResponse })
  forceInstalled!: IdentifierChangesResponse;
}

class VersionRef {
  @ApiProperty({ example: 'messageries-2023' })
  slug!: string;

  @ApiProperty({ example: 1 })
  version!: number;
}

class Change {
  @ApiProperty()
  from!: string;

  @ApiProperty()
  to!: string;
}

export class PolicyDiffResponse {
  @ApiProperty({ type: VersionRef, description: 'the version of `against`' })
  from!: VersionRef;

  @ApiProperty({ type: VersionRef, description: 'version `n`' })
  to!: VersionRef;

  @ApiPropertyOptional({ type: Change, nullable: true, description: 'set when the mode changed' })
  mode!: Change | null;

  @ApiPropertyOptional({
    type: 'object',
    nullable: true,
    properties: { from: { type: 'boolean' }, to: { type: 'boolean' } },
    description: 'set when the legacy iOS keys setting changed',
  })
  includeLegacyIosKeys!: { from: boolean; to: boolean } | null;

  @ApiProperty({ type: IosChangesResponse })
  ios!: IosChangesResponse;

  @ApiProperty({ type: AndroidChangesResponse })
  android!: AndroidChangesResponse;

  @ApiProperty({ description: 'false when both versions enforce the same thing' })
  changed!: boolean;
}
