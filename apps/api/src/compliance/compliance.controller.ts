import { Controller, Get, Param, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { Response } from 'express';
import { CurrentPrincipal, type Principal } from '#libs/auth';
import { ComplianceExportService, ComplianceReportsService } from '#libs/compliance';
import { COMPLIANCE_STATUSES, type ComplianceStatus } from '#libs/persistence';

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

/** The device list's filters; the CSV export takes the same, so it holds the rows the list shows. */
export class DeviceFilterQuery extends ScopeQuery {
  @ApiPropertyOptional({ enum: COMPLIANCE_STATUSES })
  @IsOptional()
  @IsIn(COMPLIANCE_STATUSES, { message: `status must be one of ${COMPLIANCE_STATUSES.join(', ')}` })
  status?: ComplianceStatus;

  @ApiPropertyOptional({ enum: ['ios', 'android'] })
  @IsOptional()
  @IsIn(['ios', 'android'], { message: 'platform must be ios or android' })
  platform?: 'ios' | 'android';

  @ApiPropertyOptional({ description: 'true: supervised iPhones only; false: the others' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'supervised must be true or false' })
  supervised?: boolean;

  @ApiPropertyOptional({ description: 'the exact UDID, a serial number prefix or part of the device name' })
  @IsOptional()
  @IsString()
  @MaxLength(200, { message: 'q must be at most 200 characters' })
  q?: string;
}

export class ComplianceDevicesQuery extends DeviceFilterQuery {
  @ApiPropertyOptional({ default: 100, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional({ default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;
}

export class ExportQuery extends DeviceFilterQuery {}

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
