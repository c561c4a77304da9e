import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** One thing to check about a catalog app (GET /v1/catalog/apps, `checks`). */
export class CatalogAppCheckResponse {
  @ApiProperty({ enum: ['UNVERIFIED_IDENTIFIER', 'NO_IOS_IDENTIFIER', 'NO_ANDROID_IDENTIFIER'] })
  code!: string;

  @ApiProperty({ enum: ['ios', 'android'] })
  platform!: string;

  @ApiPropertyOptional({ description: 'the unverified identifier' })
  identifier?: string;

  @ApiProperty({
    example: 'Fruitz (fruitz) has no iOS bundle ID in the catalog: it is not blocked (or allowed) on iPhones',
  })
  message!: string;
}

export class CatalogIosIdentifierResponse {
  @ApiProperty({ example: 'net.whatsapp.WhatsApp' })
  bundleId!: string;

  @ApiPropertyOptional({ description: 'App Store numeric id' })
  trackId?: number;

  @ApiPropertyOptional()
  trackIdVerified?: boolean;

  @ApiProperty({ description: 'two or more independent sources' })
  verified!: boolean;

  @ApiProperty({ type: [String] })
  sources!: string[];

  @ApiPropertyOptional({ example: 'Douyin' })
  variant?: string;
}

export class CatalogAndroidIdentifierResponse {
  @ApiProperty({ example: 'com.whatsapp' })
  packageName!: string;

  @ApiProperty({ description: 'two or more independent sources' })
  verified!: boolean;

  @ApiProperty({ type: [String] })
  sources!: string[];

  @ApiPropertyOptional()
  variant?: string;
}

/** A catalog app as GET /v1/catalog/apps[/{slug}] shows it. */
export class CatalogAppResponse {
  @ApiProperty({ example: 'whatsapp' })
  slug!: string;

  @ApiProperty({ example: 'WhatsApp' })
  name!: string;

  @ApiProperty({ example: 'messaging' })
  category!: string;

  @ApiPropertyOptional()
  notes?: string;

  @ApiProperty({
    type: [CatalogIosIdentifierResponse],
    description: 'main App Store app first; may be empty',
  })
  ios!: CatalogIosIdentifierResponse[];

  @ApiProperty({
    type: [CatalogAndroidIdentifierResponse],
    description: 'main Play package first; may be empty',
  })
  android!: CatalogAndroidIdentifierResponse[];

  @ApiProperty({ description: 'an identifier with fewer than two sources, or no identifier at all' })
  needsVerification!: boolean;

  @ApiProperty({ type: [CatalogAppCheckResponse] })
  checks!: CatalogAppCheckResponse[];
}
