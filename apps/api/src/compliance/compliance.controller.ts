import { Controller, Get, Param, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags, IntersectionType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import type { Response } from 'express';
import { CurrentPrincipal, type Principal } from '#libs/auth';
import { ComplianceExportService, ComplianceReportsService } from '#libs/compliance';
import { COMPLIANCE_STATUSES, type ComplianceStatus } from '#libs/persistence';
import { PageQuery } from '../page-query.js';

export class ScopeQuery {
  @ApiPropertyOptional({ description: 'a device group slug' })
  @IsOptional()
  @IsString()
  group?: string;

  @ApiPropertyOptional({ description: 'a policy slug: the groups it targets' })
  @IsOptional()
  @IsString()
  policy?: string;
}

export class ExportQuery extends ScopeQuery {
  @ApiPropertyOptional({ enum: COMPLIANCE_STATUSES })
  @IsOptional()
  @IsIn(COMPLIANCE_STATUSES, { message: `status must be one of ${COMPLIANCE_STATUSES.join(', ')}` })
  status?: ComplianceStatus;
}

export class ComplianceDevicesQuery extends IntersectionType(ExportQuery, PageQuery) {}

export class TrendQuery {
  @ApiPropertyOptional({ default: 30, minimum: 1, maximum: 366 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'days must be an integer between 1 and 366' })
  @Min(1, { message: 'days must be an integer between 1 and 366' })
  @Max(366, { message: 'days must be an integer between 1 and 366' })
  days?: number;
}

@ApiTags('compliance')
@ApiBearerAuth()
@Controller('v1/compliance')
export class ComplianceController {
  constructor(
    private readonly reports: ComplianceReportsService,
    private readonly exports: ComplianceExportService,
  ) {}

  @Get('summary')
  @ApiOperation({ summary: 'Devices per compliance status, for the tenant, a group or a policy' })
  summary(@CurrentPrincipal() principal: Principal, @Query() query: ScopeQuery) {
    return this.reports.summary(principal.tenantId, query);
  }

  @Get('devices')
  @ApiOperation({ summary: 'Devices with their status, reasons and time since they became non-compliant' })
  devices(@CurrentPrincipal() principal: Principal, @Query() query: ComplianceDevicesQuery) {
    return this.reports.devices(principal.tenantId, {
      ...query,
      limit: query.limit ?? 100,
      offset: query.offset ?? 0,
    });
  }

  @Get('devices/:udid/history')
  @ApiOperation({ summary: "One device's compliance status changes, newest first" })
  history(@CurrentPrincipal() principal: Principal, @Param('udid') udid: string) {
    return this.reports.history(principal.tenantId, udid);
  }

  @Get('apps')
  @ApiOperation({ summary: 'Banned apps installed: devices and groups per app' })
  apps(@CurrentPrincipal() principal: Principal, @Query() query: ScopeQuery) {
    return this.reports.apps(principal.tenantId, query);
  }

  @Get('export.csv')
  @ApiOperation({ summary: 'Every device and reason as CSV (UTF-8), streamed from a database cursor' })
  async export(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ExportQuery,
    @Res({ passthrough: true }) res: Response,
  ) {
    const stream = await this.exports.stream(principal.tenantId, query);
    const day = new Date().toISOString().slice(0, 10);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader(
      'Content-Disposition',
      `attachment; filename="compliance-${principal.tenantSlug}-${day}.csv"`,
    );
    return new StreamableFile(stream);
  }

  @Get('trend')
  @ApiOperation({ summary: 'Devices per status for each of the last `days` days (daily snapshots)' })
  trend(@CurrentPrincipal() principal: Principal, @Query() query: TrendQuery) {
    return this.reports.trend(principal.tenantId, query.days ?? 30);
  }
}
