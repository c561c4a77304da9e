import { type DynamicModule, Module } from '@nestjs/common';
import { type AppConfig, ConfigModule } from '#libs/config';
import { PersistenceModule } from '#libs/persistence';
import { PlatformModule } from '#libs/platform';

/** The phone-facing process: Apple enrollment, SCEP, check-in and commands; AMAPI notifications. */
@Module({})
export class MdmModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: MdmModule, imports: [ConfigModule.forRoot(config), PersistenceModule, PlatformModule] };
  }
}
