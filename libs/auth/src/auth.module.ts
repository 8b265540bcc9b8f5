import { DynamicModule, Global, Module } from '@nestjs/common';
import { AuthOptions } from './auth.config';
import { AUTH_OPTIONS, RolesGuard } from './roles.guard';

/** Token options and the roles guard, for `@UseGuards(RolesGuard)` in any module of the application. */
@Global()
@Module({})
export class AuthModule {
  static forRoot(options: AuthOptions): DynamicModule {
    return {
      module: AuthModule,
      providers: [{ provide: AUTH_OPTIONS, useValue: options }, RolesGuard],
      exports: [AUTH_OPTIONS, RolesGuard],
    };
  }
}
