import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AuthFailureLimiter } from './auth-failure-limiter.js';
import { HealthController, ReadinessService } from './health.js';
import { HttpExceptionFilter } from './http-exception.filter.js';
import { MetricsEndpoint, MetricsService } from './metrics.js';

/**
 * What every HTTP process serves besides its own routes: /healthz, /readyz, JSON errors, and the
 * metrics, which main.ts puts on their own listener (MetricsEndpoint).
 */
@Module({
  controllers: [HealthController],
  providers: [
    MetricsService,
    MetricsEndpoint,
    AuthFailureLimiter,
    ReadinessService,
    { provide: APP_FILTER, useClass: HttpExceptionFilter },
  ],
  exports: [MetricsService, MetricsEndpoint, AuthFailureLimiter],
})
export class PlatformModule {}
