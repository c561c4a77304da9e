import type { INestApplication } from '@nestjs/common';
import express from 'express';
import type { Logger } from 'pino';
import type { AppConfig } from '#libs/config';
import { createHttpApp, createLogger } from '#libs/platform';
import { MdmModule } from './mdm.module.js';

/**
 * Phones send plists and SCEP messages, read raw. The largest legitimate body is an
 * InstalledApplicationList answer; check-ins are limited further when parsed.
 */
export const MDM_BODY_LIMIT_BYTES = 10 * 1024 * 1024;

export async function createMdmApp(config: AppConfig, logger?: Logger): Promise<INestApplication> {
  return createHttpApp(MdmModule.forRoot(config), {
    logger: logger ?? createLogger('mdm', config.LOG_LEVEL),
    bodyParsers: [express.raw({ type: () => true, limit: MDM_BODY_LIMIT_BYTES })],
    trustProxy: config.TRUST_PROXY,
  });
}
