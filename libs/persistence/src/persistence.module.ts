import { DynamicModule, Global, Inject, Injectable, Logger, Module, OnApplicationShutdown, Optional } from '@nestjs/common';
import { ObservabilityRegistry } from '@roadloop/core';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { DatabaseOptions, openDatabase } from './data-source';
import { READ_TIMEOUTS, ReadTimeouts } from './read-budget';
import { RedisOptions, closeRedis, createRedis, waitForRedis } from './redis';
import { TransactionRunner } from './transaction';

export const REDIS = Symbol('REDIS');

@Injectable()
class PersistenceLifecycle implements OnApplicationShutdown {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    @Optional() observability?: ObservabilityRegistry,
  ) {
    observability?.addIndicator({ name: 'postgres', check: async () => void (await this.dataSource.query('SELECT 1')) });
    // The services fall back to PostgreSQL without Redis: it is reported, but not required.
    observability?.addIndicator({ name: 'redis', optional: true, check: async () => void (await this.redis.ping()) });
  }

  async onApplicationShutdown(): Promise<void> {
    await closeRedis(this.redis);
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

export interface PersistenceModuleOptions {
  database: DatabaseOptions;
  migrateOnStart: boolean;
  redis: RedisOptions;
  /** Statement timeouts of HTTP reads by class, ms (see ReadQueries). */
  readTimeouts?: ReadTimeouts;
}

/** Below the gateway's upstream timeout (5 s), so that the database stops before the gateway gives up. */
const DEFAULT_READ_TIMEOUTS: ReadTimeouts = { interactive: 3_000, analysis: 4_500 };

/** The data source (connected and migrated), a transaction runner and a Redis client. */
@Global()
@Module({})
export class PersistenceModule {
  static forRoot(options: PersistenceModuleOptions): DynamicModule {
    const logger = new Logger('Persistence');
    return {
      module: PersistenceModule,
      providers: [
        {
          provide: DataSource,
          useFactory: async () => {
            const ds = await openDatabase(options.database, options.migrateOnStart);
            logger.log(`connected to PostgreSQL, schema "${options.database.schema}"`);
            return ds;
          },
        },
        { provide: TransactionRunner, useFactory: (ds: DataSource) => new TransactionRunner(ds), inject: [DataSource] },
        {
          provide: REDIS,
          useFactory: async () => {
            const redis = createRedis(options.redis);
            redis.on('error', (err) => logger.warn(`redis: ${err.message}`));
            if (!(await waitForRedis(redis))) logger.warn('Redis is not reachable; continuing with database fall-backs');
            return redis;
          },
        },
        { provide: READ_TIMEOUTS, useValue: options.readTimeouts ?? DEFAULT_READ_TIMEOUTS },
        PersistenceLifecycle,
      ],
      exports: [DataSource, TransactionRunner, REDIS, READ_TIMEOUTS],
    };
  }
}
