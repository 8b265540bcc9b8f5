import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { REPO_ROOT, infra, runId } from '../support/environment';

jest.setTimeout(120_000);

/** `npm start`, `npm test` and the CLIs read DATABASE_URL; the set-up script must create that database. */
describe('infra/scripts/ensure-postgres.sh', () => {
  const database = `${runId('ensure')}-db`;
  const url = new URL(infra.databaseUrl);

  async function query<T>(db: string, sql: string, params: unknown[] = []): Promise<T[]> {
    const target = new URL(url);
    target.pathname = `/${encodeURIComponent(db)}`;
    const client = new Client({ connectionString: target.toString() });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  afterAll(async () => {
    await query('postgres', `DROP DATABASE IF EXISTS "${database}"`);
  });

  function ensure(env: Record<string, string>) {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PG') && k !== 'DATABASE_URL'));
    return spawnSync('bash', [join(REPO_ROOT, 'infra/scripts/ensure-postgres.sh')], { env: { ...clean, ...env }, encoding: 'utf8' });
  }

  it('creates the database DATABASE_URL names, with PostGIS, and is a no-op the second time', async () => {
    const target = new URL(url);
    target.pathname = `/${encodeURIComponent(database)}`;
    target.search = '?application_name=ensure-test';
    const first = ensure({ DATABASE_URL: target.toString() });
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toContain(`creating database ${database}`);
    const rows = await query<{ extname: string }>(database, `SELECT extname FROM pg_extension WHERE extname = 'postgis'`);
    expect(rows).toEqual([{ extname: 'postgis' }]);

    const second = ensure({ DATABASE_URL: target.toString() });
    expect(second.status).toBe(0);
    expect(second.stdout).not.toContain('creating database');
    expect(second.stdout).toContain(`database ${database}, PostGIS available`);
  });

  it('refuses a DATABASE_URL that is not PostgreSQL instead of preparing another database', () => {
    const run = ensure({ DATABASE_URL: 'mysql://root@127.0.0.1:3306/roadloop' });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('DATABASE_URL is not a postgres:// URL');
    expect(run.stdout).not.toContain('ok:');
  });
});
