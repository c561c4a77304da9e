import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { APP_LIST_KINDS, type AppListKind } from '#libs/catalog';

export class AppListResponse {
  @ApiProperty({ example: 'fr-gov-2023-messaging' })
  slug!: string;

  @ApiProperty({ example: 'Messageries grand public (circulaire du 22 novembre 2023)' })
  name!: string;

  @ApiProperty({ enum: APP_LIST_KINDS })
  kind!: AppListKind;

  @ApiPropertyOptional({ description: 'what the list implements and why' })
  description?: string;

  @ApiPropertyOptional({ type: [String], description: 'where the rule comes from' })
  sources?: string[];

  @ApiPropertyOptional({ example: '2023-12-08', description: 'ISO-8601 date or date-time with offset' })
  effectiveAt?: string;

  @ApiProperty({ type: [String], example: ['whatsapp', 'telegram'], description: 'catalog app slugs' })
  apps!: string[];

  @ApiProperty({ type: [String], description: 'raw iOS bundle IDs outside the catalog' })
  bundleIds!: string[];

  @ApiProperty({ type: [String], description: 'raw Android package names outside the catalog' })
  packageNames!: string[];

  @ApiProperty({
    enum: ['tenant', 'shipped'],
    description: 'shipped lists come with Rempart and are read-only',
  })
  origin!: 'tenant' | 'shipped';
}
