import { DataSource, DataSourceOptions, EntitySchema, MixedList } from 'typeorm';
import { BudgetedDataSource } from './read-budget';

export interface DatabaseOptions {
  url: string;
  /** The PostgreSQL schema this service owns; created if missing. */
  schema: string;
  entities: MixedList<Function | string | EntitySchema>;
  migrations: MixedList<Function | string>;
  poolSize?: number;
  applicationName?: string;
}

export function dataSourceOptions(options: DatabaseOptions): DataSourceOptions {
  return {
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: 'migrations',
    // Schema changes go through migrations only.
    synchronize: false,
    migrationsRun: false,
    poolSize: options.poolSize ?? 10,
    applicationName: options.applicationName,
    // Unqualified names in migrations and raw queries resolve to the service's own schema first;
    // PostGIS lives in public. No JIT compilation: these are short statements, and a plan whose
    // estimate crosses jit_above_cost spent over a second compiling for a few milliseconds of work.
    extra: { connectionTimeoutMillis: 5_000, options: `-c search_path=${options.schema},public -c jit=off` },
  };
}

/**
 * Runs pending migrations under a PostgreSQL advisory lock, so that services and replicas starting
 * together never race on `CREATE EXTENSION` or on the migrations table.
 */
export async function runMigrations(dataSource: DataSource, schema: string): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query(`SELECT pg_advisory_lock(hashtext('roadloop.migrations'))`);
    try {
      await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((m) => m.name);
    } finally {
      await runner.query(`SELECT pg_advisory_unlock(hashtext('roadloop.migrations'))`);
    }
  } finally {
    await runner.release();
  }
}

/** Creates, connects and migrates a data source (whose reads run in the request's read budget, when there is one). */
export async function openDatabase(options: DatabaseOptions, migrate: boolean): Promise<DataSource> {
  const dataSource = new BudgetedDataSource(dataSourceOptions(options));
  await dataSource.initialize();
  if (migrate) {
    try {
      await runMigrations(dataSource, options.schema);
    } catch (err) {
      await dataSource.destroy();
      throw err;
    }
  }
  return dataSource;
}
