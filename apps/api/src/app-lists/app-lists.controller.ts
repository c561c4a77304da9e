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
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { IsArray, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import type { Actor } from '#libs/audit';
import { CurrentActor, CurrentPrincipal, type Principal } from '#libs/auth';
import { APP_LIST_KINDS, type AppListKind } from '#libs/catalog';
import { DomainException } from '#libs/platform';
import { AppListsService } from '#libs/policy';

/** Shape checks only; catalog slugs and identifier grammar are checked by the catalog library. */
export class AppListDto {
  @ApiProperty({ example: 'ministere-messaging-ban' })
  @IsString()
  slug!: string;

  @ApiProperty()
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
@ApiBearerAuth()
@Controller('v1/app-lists')
export class AppListsController {
  constructor(private readonly lists: AppListsService) {}

  @Post()
  @ApiOperation({ summary: 'Create a block or allow list from catalog slugs and/or raw identifiers' })
  create(@CurrentActor() actor: Actor, @Body() body: AppListDto) {
    return this.lists.create(actor, { ...body });
  }

  @Post('import')
  @ApiOperation({
    summary: 'Import a list from YAML (the format of profiles/lists); ?replace=true overwrites',
  })
  @ApiConsumes('application/yaml')
  @ApiBody({ schema: { type: 'string' } })
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
  list(@CurrentPrincipal() principal: Principal) {
    return this.lists.list(principal.tenantId);
  }

  @Get(':slug')
  get(@CurrentPrincipal() principal: Principal, @Param('slug') slug: string) {
    return this.lists.get(principal.tenantId, slug);
  }

  @Get(':slug/export.yaml')
  @Header('Content-Type', 'application/yaml; charset=utf-8')
  exportYaml(@CurrentPrincipal() principal: Principal, @Param('slug') slug: string) {
    return this.lists.exportYaml(principal.tenantId, slug);
  }

  @Put(':slug')
  replace(@CurrentActor() actor: Actor, @Param('slug') slug: string, @Body() body: AppListDto) {
    return this.lists.replace(actor, slug, { ...body });
  }

  @Delete(':slug')
  @HttpCode(204)
  async remove(@CurrentActor() actor: Actor, @Param('slug') slug: string) {
    await this.lists.remove(actor, slug);
  }
}
