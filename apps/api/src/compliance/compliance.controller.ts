import { Controller, Get, Param, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiPropertyOptional, ApiResponse, ApiTags, IntersectionType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import type { Response } from 'express';
import { CurrentPrincipal, type Principal } from '#libs/auth';
import { ComplianceExportService, ComplianceReportsService } from '#libs/compliance';
import { COMPLIANCE_STATUSES, type ComplianceStatus } from '#libs/persistence';
import { ApiDoc, ApiErrors, ApiOfficerController, ApiPathParam } from '#libs/platform';
import {
  ComplianceAppResponse,
  ComplianceChangeResponse,
  ComplianceDeviceResponse,
  ComplianceSummaryResponse,
  TrendDayResponse,
} from './compliance.openapi.js';
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
  @ApiPropertyOptional({ enum: COMPLIANCE_STATUSES, description: 'only devices with this status' })
  @IsOptional()
  @IsIn(COMPLIANCE_STATUSES, { message: `status must be one of ${COMPLIANCE_STATUSES.join(', ')}` })
  status?: ComplianceStatus;
}

export class ComplianceDevicesQuery extends IntersectionType(ExportQuery, PageQuery) {}

export class TrendQuery {
  @ApiPropertyOptional({
    default: 30,
    minimum: 1,
    maximum: 366,
    description: 'how many days back, today included',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'days must be an integer between 1 and 366' })
  @Min(1, { message: 'days must be an integer between 1 and 366' })
  @Max(366, { message: 'days must be an integer between 1 and 366' })
  days?: number;
}

@ApiTags('compliance')
@ApiOfficerController()
@Controller('v1/compliance')
export class ComplianceController {
  constructor(
    private readonly reports: ComplianceReportsService,
    private readonly exports: ComplianceExportService,
  ) {}

  @Get('summary')
  @ApiDoc(
    'Count devices per compliance status',
    'For the whole tenant, a group or the groups of a policy: how many devices are compliant, non-compliant, pending, stale... Any role.',
  )
  @ApiResponse({ status: 200, type: ComplianceSummaryResponse, description: 'the counts' })
  @ApiErrors(400, 404)
  summary(@CurrentPrincipal() principal: Principal, @Query() query: ScopeQuery) {
    return this.reports.summary(principal.tenantId, query);
  }

  @Get('devices')
  @ApiDoc(
    'List devices with their compliance',
    'Devices with their status, the reasons (which banned app, which policy version), warnings and how long they have been non-compliant; longest first. Any role.',
  )
  @ApiResponse({ status: 200, type: [ComplianceDeviceResponse], description: 'the devices' })
  @ApiErrors(400, 404)
  devices(@CurrentPrincipal() principal: Principal, @Query() query: ComplianceDevicesQuery) {
    return this.reports.devices(principal.tenantId, {
      ...query,
      limit: query.limit ?? 100,
      offset: query.offset ?? 0,
    });
  }

  @Get('devices/:udid/history')
  @ApiDoc(
    'Read a device’s compliance history',
    'Its status changes with their reasons, newest first (500 at most). Any role.',
  )
  @ApiPathParam('udid', 'the device: iOS UDID, or Android device id')
  @ApiResponse({ status: 200, type: [ComplianceChangeResponse], description: 'the changes' })
  @ApiErrors(404)
  history(@CurrentPrincipal() principal: Principal, @Param('udid') udid: string) {
    return this.reports.history(principal.tenantId, udid);
  }

  @Get('apps')
  @ApiDoc(
    'Count banned apps installed',
    'Per banned app found on devices: its identifiers, on how many devices and groups. Any role.',
  )
  @ApiResponse({ status: 200, type: [ComplianceAppResponse], description: 'the apps' })
  @ApiErrors(400, 404)
  apps(@CurrentPrincipal() principal: Principal, @Query() query: ScopeQuery) {
    return this.reports.apps(principal.tenantId, query);
  }

  @Get('export.csv')
  @ApiDoc(
    'Export compliance as CSV',
    'One row per device and reason (UTF-8 CSV with a header), streamed from a database cursor, so any fleet size fits. Any role.',
  )
  @ApiResponse({
    status: 200,
    description: 'the CSV',
    content: { 'text/csv': { schema: { type: 'string' } } },
  })
  @ApiErrors(400, 404)
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
  @ApiDoc(
    'Read the compliance trend',
    'Devices per status for each of the last `days` days, from the daily snapshots. Any role.',
  )
  @ApiResponse({ status: 200, type: [TrendDayResponse], description: 'one entry per day, oldest first' })
  @ApiErrors(400)
  trend(@CurrentPrincipal() principal: Principal, @Query() query: TrendQuery) {
    return this.reports.trend(principal.tenantId, query.days ?? 30);
  }
}
