import { DynamicModule } from '@nestjs/common';
import type { DatabaseEnv, RedisEnv } from '@roadloop/config';
import { DatabaseOptions } from './data-source';
import { PersistenceModule } from './persistence.module';
import { ReadTimeouts } from './read-budget';

/** The settings a service's persistence is made from: `databaseEnv`, `redisEnv` and the schema it owns. */
export type PersistenceEnv = DatabaseEnv & RedisEnv & { DB_SCHEMA: string };

/**
 * A service's PostgreSQL schema (migrated on start when `DB_MIGRATE_ON_START`) and Redis client from
 * its validated settings; the service's name is the connection's application name.
 */
export function persistenceModuleFor(
  service: string,
  config: PersistenceEnv,
  { migrations, readTimeouts }: { migrations: DatabaseOptions['migrations']; readTimeouts?: ReadTimeouts },
): DynamicModule {
  return PersistenceModule.forRoot({
    database: {
      url: config.DATABASE_URL,
      schema: config.DB_SCHEMA,
      entities: [],
      migrations,
      poolSize: config.DATABASE_POOL_SIZE,
      applicationName: service,
    },
    migrateOnStart: config.DB_MIGRATE_ON_START,
    redis: { url: config.REDIS_URL, keyPrefix: config.REDIS_KEY_PREFIX },
    readTimeouts,
  });
}
