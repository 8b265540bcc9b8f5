import { describe, expect, it } from '@jest/globals';
import { READ_TIMEOUTS } from './read-budget';
import { PersistenceEnv, persistenceModuleFor } from './persistence-module-for';

const config: PersistenceEnv = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/roadloop',
  DATABASE_POOL_SIZE: 4,
  DB_MIGRATE_ON_START: false,
  DB_SCHEMA: 'risk',
  REDIS_URL: 'redis://127.0.0.1:6379',
  REDIS_KEY_PREFIX: 'roadloop:',
};

const readTimeoutsOf = (module: ReturnType<typeof persistenceModuleFor>) =>
  ((module.providers ?? []).find((p) => typeof p === 'object' && 'provide' in p && p.provide === READ_TIMEOUTS) as { useValue: unknown } | undefined)?.useValue;

describe(persistenceModuleFor.name, () => {
  it("takes the service's read timeouts when it has its own, else the defaults below the gateway's upstream timeout", () => {
    expect(readTimeoutsOf(persistenceModuleFor('risk-service', config, { migrations: [], readTimeouts: { interactive: 1_000, analysis: 2_000 } }))).toEqual({ interactive: 1_000, analysis: 2_000 });
    expect(readTimeoutsOf(persistenceModuleFor('task-service', config, { migrations: [] }))).toEqual({ interactive: 3_000, analysis: 4_500 });
  });
});
