import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';
import {
  APP_CATEGORIES,
  appChecks,
  CatalogService,
  needsVerification,
  type AppCategory,
  type CatalogApp,
} from '#libs/catalog';
import { NotFoundDomainException } from '#libs/platform';
import { CatalogAppResponse } from './catalog-app.response.js';

export class CatalogQuery {
  @ApiPropertyOptional({ enum: APP_CATEGORIES })
  @IsOptional()
  @IsIn(APP_CATEGORIES)
  category?: AppCategory;

  @ApiPropertyOptional({
    description:
      'true: only apps that need a check (an identifier with fewer than two sources, or no identifier at all)',
  })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'unverified must be true or false' })
  unverified?: boolean;
}

const needsCheck = needsVerification;

const appView = (app: CatalogApp) => ({
  ...app,
  needsVerification: needsCheck(app),
  checks: appChecks(app).map(({ code, platform, identifier, message }) => ({
    code,
    platform,
    identifier,
    message,
  })),
});

@ApiTags('catalog')
@ApiBearerAuth()
@Controller('v1/catalog/apps')
export class CatalogController {
  constructor(private readonly catalog: CatalogService) {}

  @Get()
  @ApiOkResponse({ type: [CatalogAppResponse] })
  @ApiOperation({
    summary: 'Apps with their iOS bundle IDs and Android packages; unverified identifiers are flagged',
  })
  list(@Query() query: CatalogQuery) {
    return this.catalog.catalog.apps
      .filter((app) => !query.category || app.category === query.category)
      .filter((app) => query.unverified === undefined || needsCheck(app) === query.unverified)
      .map(appView);
  }

  @Get(':slug')
  @ApiOkResponse({ type: CatalogAppResponse })
  get(@Param('slug') slug: string) {
    const app = this.catalog.catalog.app(slug);
    if (!app) throw new NotFoundDomainException('catalog app', slug);
    return appView(app);
  }
}
