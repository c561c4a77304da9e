import type { INestApplication } from '@nestjs/common';
import type { AppConfig } from '#libs/config';
import { createHttpApp, createLogger } from '#libs/platform';
import { MdmModule } from './mdm.module.js';

export async function createMdmApp(config: AppConfig): Promise<INestApplication> {
  return createHttpApp(MdmModule.forRoot(config), {
    logger: createLogger('mdm', config.LOG_LEVEL),
    bodyParsers: [],
  });
}
