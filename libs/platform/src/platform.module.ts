import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { HealthController, ReadinessService } from './health.js';
import { HttpExceptionFilter } from './http-exception.filter.js';
import { MetricsController, MetricsService } from './metrics.js';

/** What every HTTP process serves besides its own routes: /healthz, /readyz, /metrics, JSON errors. */
@Module({
  controllers: [HealthController, MetricsController],
  providers: [MetricsService, ReadinessService, { provide: APP_FILTER, useClass: HttpExceptionFilter }],
  exports: [MetricsService],
})
export class PlatformModule {}
