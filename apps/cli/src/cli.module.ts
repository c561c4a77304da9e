import { type DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '#libs/audit';
import { AuthModule } from '#libs/auth';
import { type AppConfig, ConfigModule } from '#libs/config';
import { PersistenceModule } from '#libs/persistence';

/** What the operator commands that touch the database need. */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CliModule,
      imports: [ConfigModule.forRoot(config), PersistenceModule, AuditModule, AuthModule],
    };
  }
}
