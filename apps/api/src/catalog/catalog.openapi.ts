import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { APP_CATEGORIES, type AppCategory } from '#libs/catalog';

class IosIdentifierResponse {
  @ApiProperty({ example: 'net.whatsapp.WhatsApp' })
  bundleId!: string;

  @ApiPropertyOptional({ example: 310633997, description: 'App Store id (apps.apple.com/app/id<trackId>)' })
  trackId?: number;

  @ApiPropertyOptional({ description: 'whether the track id has 2 or more independent sources' })
  trackIdVerified?: boolean;

  @ApiProperty({ description: 'true only with 2 or more independent sources; false: check the store first' })
  verified!: boolean;

  @ApiProperty({ type: [String] })
  sources!: string[];

  @ApiPropertyOptional({ example: 'Business', description: 'label of a variant build' })
  variant?: string;
}

class AndroidIdentifierResponse {
  @ApiProperty({ example: 'com.whatsapp' })
  packageName!: string;

  @ApiProperty({ description: 'true only with 2 or more independent sources' })
  verified!: boolean;

  @ApiProperty({ type: [String] })
  sources!: string[];

  @ApiPropertyOptional({ example: 'Business' })
  variant?: string;
}

/** One thing to check about a catalog app. */
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

export class CatalogAppResponse {
  @ApiProperty({ example: 'whatsapp' })
  slug!: string;

  @ApiProperty({ example: 'WhatsApp' })
  name!: string;

  @ApiProperty({ enum: APP_CATEGORIES })
  category!: AppCategory;

  @ApiPropertyOptional()
  notes?: string;

  @ApiProperty({ type: [IosIdentifierResponse], description: 'main App Store app first, then variants' })
  ios!: IosIdentifierResponse[];

  @ApiProperty({ type: [AndroidIdentifierResponse], description: 'main Google Play package first' })
  android!: AndroidIdentifierResponse[];

  @ApiProperty({
    description:
      'an identifier still needs a check against the live store, or the app has no identifier at all',
  })
  needsVerification!: boolean;

  @ApiProperty({
    type: [CatalogAppCheckResponse],
    description: 'each unverified identifier, and each platform without an identifier',
  })
  checks!: CatalogAppCheckResponse[];
}
