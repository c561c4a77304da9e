import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/*
 * Response shapes of what a version contains (GET .../versions/{n}, POST .../versions), for the
 * OpenAPI document: the services build these objects, the classes only describe them.
 */

export class VersionIosIdentifierResponse {
  @ApiProperty({ example: 'net.whatsapp.WhatsApp' })
  bundleId!: string;

  @ApiProperty({ description: 'two or more independent sources' })
  verified!: boolean;
}

export class VersionAndroidIdentifierResponse {
  @ApiProperty({ example: 'com.whatsapp' })
  packageName!: string;

  @ApiProperty({ description: 'two or more independent sources' })
  verified!: boolean;
}

export class VersionAppResponse {
  @ApiProperty({ example: 'whatsapp' })
  slug!: string;

  @ApiProperty({ example: 'WhatsApp' })
  name!: string;

  @ApiProperty({ type: [String], description: 'the lists of the version that name it' })
  lists!: string[];

  @ApiProperty({ type: [VersionIosIdentifierResponse], description: 'empty: not covered on iPhones' })
  ios!: VersionIosIdentifierResponse[];

  @ApiProperty({ type: [VersionAndroidIdentifierResponse], description: 'empty: not covered on Android' })
  android!: VersionAndroidIdentifierResponse[];
}

export class PlatformIdentifiersResponse {
  @ApiProperty({ type: [String] })
  ios!: string[];

  @ApiProperty({ type: [String] })
  android!: string[];
}

export class VersionSideResponse {
  @ApiProperty({ type: [VersionAppResponse], description: 'catalog apps, by name' })
  apps!: VersionAppResponse[];

  @ApiProperty({
    type: PlatformIdentifiersResponse,
    description: 'identifiers the lists name directly, outside catalog apps',
  })
  otherIdentifiers!: PlatformIdentifiersResponse;
}

export class VersionWarningResponse {
  @ApiProperty({ enum: ['UNVERIFIED_IDENTIFIER', 'NO_IOS_IDENTIFIER', 'NO_ANDROID_IDENTIFIER'] })
  code!: string;

  @ApiProperty({ example: 'meetic' })
  app!: string;

  @ApiProperty({ enum: ['ios', 'android'] })
  platform!: string;

  @ApiPropertyOptional({ description: 'the unverified identifier' })
  identifier?: string;

  @ApiProperty({
    example:
      'Meetic (meetic) has no Android package in the catalog: it is not blocked (or allowed) on Android phones',
  })
  message!: string;
}

export class VersionContentsResponse {
  @ApiProperty({ type: VersionSideResponse })
  blocked!: VersionSideResponse;

  @ApiProperty({ type: VersionSideResponse })
  allowed!: VersionSideResponse;

  @ApiProperty({
    type: [VersionWarningResponse],
    description: 'unverified identifiers, and apps without an identifier on a platform',
  })
  warnings!: VersionWarningResponse[];
}

export class PublishedVersionResponse {
  @ApiProperty({ example: 1 })
  version!: number;

  @ApiProperty({ type: String, format: 'date-time' })
  effectiveAt!: Date;

  @ApiProperty({ format: 'uuid', description: 'the rollout of this version' })
  rolloutId!: string;

  @ApiProperty({ description: 'true: identical to the latest version, which is returned (status 200)' })
  unchanged!: boolean;

  @ApiProperty({ example: 'version 1 published; it takes effect now' })
  message!: string;

  @ApiProperty({ type: VersionContentsResponse })
  contents!: VersionContentsResponse;
}

export class VersionArtifactsResponse {
  @ApiProperty()
  iosProfileSha256!: string;

  @ApiProperty()
  signedIosProfileSha256!: string;

  @ApiProperty()
  androidPolicySha256!: string;
}

/** A published version as GET .../versions and GET .../versions/{n} show it. */
export class PolicyVersionResponse {
  @ApiProperty({ example: 1 })
  version!: number;

  @ApiProperty({ type: String, format: 'date-time' })
  effectiveAt!: Date;

  @ApiProperty({ type: String, format: 'date-time' })
  publishedAt!: Date;

  @ApiProperty({ example: 'officer:rssi@interieur.gouv.fr' })
  publishedBy!: string;

  @ApiProperty({ type: [String] })
  groups!: string[];

  @ApiProperty({ type: Object, description: 'the resolved ban spec: identifiers per platform' })
  banSpec!: Record<string, unknown>;

  @ApiProperty({ type: [Object], description: 'the lists as they were when published' })
  lists!: Record<string, unknown>[];

  @ApiProperty({ type: VersionArtifactsResponse })
  artifacts!: VersionArtifactsResponse;

  @ApiProperty({ type: VersionContentsResponse })
  contents!: VersionContentsResponse;
}

/** A policy as POST, GET and PATCH /v1/policies[/{slug}] show it. */
export class PolicyResponse {
  @ApiProperty({ example: 'messageries' })
  slug!: string;

  @ApiProperty({ example: 'Messageries grand public interdites' })
  name!: string;

  @ApiProperty({ type: String, nullable: true })
  description!: string | null;

  @ApiProperty({ enum: ['blocklist', 'allowlist'] })
  mode!: string;

  @ApiProperty()
  includeLegacyIosKeys!: boolean;

  @ApiProperty({ type: [String] })
  groups!: string[];

  @ApiProperty({ type: [String] })
  blockLists!: string[];

  @ApiProperty({ type: [String] })
  allowLists!: string[];

  @ApiProperty({ type: [String] })
  forceInstall!: string[];

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  effectiveAt!: Date | null;

  @ApiProperty({ description: '0 before the first publication' })
  latestVersion!: number;

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
