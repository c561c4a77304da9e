import { type DynamicModule, Module } from '@nestjs/common';
import { AndroidServerModule } from '#libs/android-server';
import { AdeModule, AppleMdmModule } from '#libs/apple-server';
import { AuditModule } from '#libs/audit';
import { type AppConfig, ConfigModule } from '#libs/config';
import { PersistenceModule } from '#libs/persistence';
import { PlatformModule } from '#libs/platform';
import { AndroidMdmController } from './android/android-mdm.controller.js';
import { AppleMdmController } from './apple/apple-mdm.controller.js';

/** The phone-facing process: Apple enrollment, SCEP, check-in and commands; AMAPI notifications. */
@Module({})
export class MdmModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: MdmModule,
      imports: [
        ConfigModule.forRoot(config),
        PersistenceModule,
        PlatformModule,
        AuditModule,
        AppleMdmModule,
        AndroidServerModule,
        AdeModule,
      ],
      controllers: [AppleMdmController, AndroidMdmController],
    };
  }
}
