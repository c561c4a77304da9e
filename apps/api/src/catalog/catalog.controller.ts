import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiPropertyOptional, ApiResponse, ApiTags } from '@nestjs/swagger';
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
import {
  ApiDoc,
  ApiErrors,
  ApiOfficerController,
  ApiPathParam,
  NotFoundDomainException,
} from '#libs/platform';
import { CatalogAppResponse } from './catalog.openapi.js';

export class CatalogQuery {
  @ApiPropertyOptional({ enum: APP_CATEGORIES, description: 'only apps of this category' })
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
@ApiOfficerController()
@Controller('v1/catalog/apps')
export class CatalogController {
  constructor(private readonly catalog: CatalogService) {}

  @Get()
  @ApiDoc(
    'List the apps of the catalog',
    'Apps with their iOS bundle IDs and Android packages and the sources of each; unverified identifiers are flagged (`verified: false`, `needsVerification`). Lists name apps by these slugs. Any role.',
  )
  @ApiResponse({ status: 200, type: [CatalogAppResponse], description: 'the apps' })
  @ApiErrors(400)
  list(@Query() query: CatalogQuery) {
    return this.catalog.catalog.apps
      .filter((app) => !query.category || app.category === query.category)
      .filter((app) => query.unverified === undefined || needsCheck(app) === query.unverified)
      .map(appView);
  }

  @Get(':slug')
  @ApiDoc(
    'Read one app of the catalog',
    'One app by its catalog slug, with its identifiers per platform. Any role.',
  )
  @ApiPathParam('slug', 'catalog slug of an app', 'whatsapp')
  @ApiResponse({ status: 200, type: CatalogAppResponse, description: 'the app' })
  @ApiErrors(404)
  get(@Param('slug') slug: string) {
    const app = this.catalog.catalog.app(slug);
    if (!app) throw new NotFoundDomainException('catalog app', slug);
    return appView(app);
  }
}
