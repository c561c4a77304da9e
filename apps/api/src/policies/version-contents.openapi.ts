import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/*
 * What a version contains (`contents` of GET .../versions/{n} and POST .../versions), for the
 * OpenAPI document: libs/policy's describeVersionContents builds these objects.
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
