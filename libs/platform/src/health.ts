import { Controller, Get, HttpCode, Inject, Injectable, type OnModuleDestroy, Res } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { Public } from './public.decorator.js';
import { redisOptionsFromUrl } from './redis.js';

type CheckResult = 'up' | 'down';

@Injectable()
export class ReadinessService implements OnModuleDestroy {
  private readonly redis: Redis;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.redis = new Redis({
      ...redisOptionsFromUrl(config.REDIS_URL),
      lazyConnect: true,
      connectTimeout: 2000,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
    });
    this.redis.on('error', () => undefined); // readiness reports it; no log storm while Redis is down
  }

  async check(): Promise<{ postgres: CheckResult; redis: CheckResult }> {
    const [postgres, redis] = await Promise.all([this.checkPostgres(), this.checkRedis()]);
    return { postgres, redis };
  }

  private async checkPostgres(): Promise<CheckResult> {
    try {
      await this.dataSource.query('SELECT 1');
      return 'up';
    } catch {
      return 'down';
    }
  }

  private async checkRedis(): Promise<CheckResult> {
    try {
      if (this.redis.status === 'wait' || this.redis.status === 'end') await this.redis.connect();
      return (await this.redis.ping()) === 'PONG' ? 'up' : 'down';
    } catch {
      return 'down';
    }
  }

  onModuleDestroy() {
    this.redis.disconnect();
  }
}

class LivenessResponse {
  @ApiProperty({ example: 'ok' })
  status!: string;
}

class ReadinessChecks {
  @ApiProperty({ enum: ['up', 'down'] })
  postgres!: CheckResult;

  @ApiProperty({ enum: ['up', 'down'] })
  redis!: CheckResult;
}

class ReadinessResponse {
  @ApiProperty({ enum: ['ok', 'unavailable'] })
  status!: 'ok' | 'unavailable';

  @ApiProperty({ type: ReadinessChecks })
  checks!: ReadinessChecks;
}

@ApiTags('health')
@Public()
@Controller()
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  /** Liveness: the process answers. */
  @Get('healthz')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Liveness',
    description: 'The process answers. No token; for the orchestrator’s liveness probe.',
  })
  @ApiResponse({ status: 200, type: LivenessResponse, description: 'alive' })
  live() {
    return { status: 'ok' };
  }

  /** Readiness: PostgreSQL and Redis both answer; 503 otherwise. */
  @Get('readyz')
  @ApiOperation({
    summary: 'Readiness',
    description: 'PostgreSQL and Redis both answer. No token; for the orchestrator’s readiness probe.',
  })
  @ApiResponse({ status: 200, type: ReadinessResponse, description: 'ready' })
  @ApiResponse({ status: 503, type: ReadinessResponse, description: 'not ready: `checks` says what is down' })
  async ready(@Res({ passthrough: true }) res: Response) {
    const checks = await this.readiness.check();
    const ok = checks.postgres === 'up' && checks.redis === 'up';
    res.status(ok ? 200 : 503);
    return { status: ok ? 'ok' : 'unavailable', checks };
  }
}
