import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  Req,
} from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiProperty,
  ApiPropertyOptional,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { IsArray, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import type { Actor } from '#libs/audit';
import { CurrentActor, CurrentPrincipal, type Principal } from '#libs/auth';
import { APP_LIST_KINDS, type AppListKind } from '#libs/catalog';
import {
  ApiDoc,
  ApiErrors,
  ApiJsonBody,
  ApiNoContent,
  ApiOfficerController,
  ApiPathParam,
  DomainException,
} from '#libs/platform';
import { AppListResponse } from './app-lists.openapi.js';

const LIST_EXAMPLES = {
  block: {
    summary: 'a block list from catalog slugs and a raw identifier',
    value: {
      slug: 'ministere-messaging-ban',
      name: 'Messageries interdites au ministère',
      kind: 'block',
      apps: ['whatsapp', 'telegram', 'signal'],
      bundleIds: ['com.example.chat'],
      packageNames: ['com.example.chat'],
      description: 'Applique la circulaire du 22 novembre 2023',
      effectiveAt: '2023-12-08',
    },
  },
  allow: {
    summary: 'an allow list (the approved messaging apps)',
    value: {
      slug: 'messageries-autorisees',
      name: 'Messageries autorisées',
      kind: 'allow',
      apps: ['olvid', 'tchap'],
    },
  },
};

const YAML_EXAMPLE = `slug: ministere-messaging-ban
name: Messageries interdites au ministère
kind: block
effectiveAt: '2023-12-08'
apps:
  - whatsapp
  - telegram
bundleIds:
  - com.example.chat
`;

const listSlug = ApiPathParam('slug', 'slug of a list: your own or a shipped one', 'fr-gov-2023-messaging');
import { AppListsService } from '#libs/policy';

/** Shape checks only; catalog slugs and identifier grammar are checked by the catalog library. */
export class AppListDto {
  @ApiProperty({ example: 'ministere-messaging-ban' })
  @IsString()
  slug!: string;

  @ApiProperty({ example: 'Messageries interdites au ministère' })
  @IsString()
  @MaxLength(200)
  name!: string;

  @ApiProperty({ enum: APP_LIST_KINDS })
  @IsIn(APP_LIST_KINDS, { message: 'kind must be block or allow' })
  kind!: AppListKind;

  @ApiProperty({ type: [String], description: 'catalog app slugs', example: ['whatsapp', 'telegram'] })
  @IsArray()
  @IsString({ each: true })
  apps!: string[];

  @ApiPropertyOptional({ type: [String], description: 'raw iOS bundle IDs (case-sensitive)' })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  bundleIds?: string[];

  @ApiPropertyOptional({ type: [String], description: 'raw Android package names' })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  packageNames?: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  description?: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  sources?: string[];

  @ApiPropertyOptional({ example: '2023-12-08' })
  @IsOptional()
  @IsString()
  effectiveAt?: string;
}

@ApiTags('app-lists')
@ApiOfficerController()
@Controller('v1/app-lists')
export class AppListsController {
  constructor(private readonly lists: AppListsService) {}

  @Post()
  @ApiDoc(
    'Create a block or allow list',
    'A list of apps to block (or to allow) from catalog slugs (`GET /v1/catalog/apps`) and/or raw identifiers. Every unknown app and malformed identifier is named in one 400 (with a "did you mean"). Policies name lists by slug. Officer or above; audited.',
  )
  @ApiJsonBody(AppListDto, LIST_EXAMPLES)
  @ApiResponse({ status: 201, type: AppListResponse, description: 'the new list' })
  @ApiErrors(400, 403, 409)
  create(@CurrentActor() actor: Actor, @Body() body: AppListDto) {
    return this.lists.create(actor, { ...body });
  }

  @Post('import')
  @ApiDoc(
    'Import a list from YAML',
    'The format of `profiles/lists/*.yaml` (and of `export.yaml`), sent with Content-Type: application/yaml. A list of that slug already there is a 409 unless `?replace=true`. Officer or above; audited.',
  )
  @ApiConsumes('application/yaml')
  @ApiBody({ schema: { type: 'string' }, examples: { list: { value: YAML_EXAMPLE } } })
  @ApiQuery({
    name: 'replace',
    required: false,
    enum: ['true', 'false'],
    description: '`true` overwrites your list of the same slug',
  })
  @ApiResponse({ status: 201, type: AppListResponse, description: 'the imported list' })
  @ApiErrors(400, 403, 409, 413)
  importYaml(@CurrentActor() actor: Actor, @Req() req: Request, @Query('replace') replace?: string) {
    if (typeof req.body !== 'string' || !req.body.trim()) {
      throw new DomainException(
        'YAML_BODY_REQUIRED',
        'send the list as YAML with Content-Type: application/yaml',
      );
    }
    return this.lists.importYaml(actor, req.body, replace === 'true');
  }

  @Get()
  @ApiDoc('List the app lists', 'Your lists and the shipped ones (`origin`). Any role.')
  @ApiResponse({ status: 200, type: [AppListResponse], description: 'the lists' })
  list(@CurrentPrincipal() principal: Principal) {
    return this.lists.list(principal.tenantId);
  }

  @Get(':slug')
  @ApiDoc('Read one app list', 'Your list of that slug, else the shipped one. Any role.')
  @listSlug
  @ApiResponse({ status: 200, type: AppListResponse, description: 'the list' })
  @ApiErrors(404)
  get(@CurrentPrincipal() principal: Principal, @Param('slug') slug: string) {
    return this.lists.get(principal.tenantId, slug);
  }

  @Get(':slug/export.yaml')
  @Header('Content-Type', 'application/yaml; charset=utf-8')
  @ApiDoc(
    'Export an app list as YAML',
    'The list in the format `POST /v1/app-lists/import` and `profile build --list` read back. Any role.',
  )
  @listSlug
  @ApiResponse({
    status: 200,
    description: 'the list as YAML',
    content: { 'application/yaml': { schema: { type: 'string' } } },
  })
  @ApiErrors(404)
  exportYaml(@CurrentPrincipal() principal: Principal, @Param('slug') slug: string) {
    return this.lists.exportYaml(principal.tenantId, slug);
  }

  @Put(':slug')
  @ApiDoc(
    'Replace an app list',
    'The whole list is replaced by the body (its slug included); versions already published keep what they resolved. Shipped lists are read-only (409). Officer or above; audited.',
  )
  @listSlug
  @ApiJsonBody(AppListDto, LIST_EXAMPLES)
  @ApiResponse({ status: 200, type: AppListResponse, description: 'the list as stored' })
  @ApiErrors(400, 403, 404, 409)
  replace(@CurrentActor() actor: Actor, @Param('slug') slug: string, @Body() body: AppListDto) {
    return this.lists.replace(actor, slug, { ...body });
  }

  @Delete(':slug')
  @HttpCode(204)
  @ApiDoc(
    'Delete an app list',
    'Only your own lists; shipped lists are read-only (409). Published versions keep their snapshot. Officer or above; audited.',
  )
  @listSlug
  @ApiNoContent('deleted')
  @ApiErrors(403, 404, 409)
  async remove(@CurrentActor() actor: Actor, @Param('slug') slug: string) {
    await this.lists.remove(actor, slug);
  }
}
