import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Controller, Get, INestApplication, Logger, Module, Post, Query } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppErrorFilter } from '@roadloop/http';
import { openDatabase } from './data-source';
import { waitFor } from '../../../test/support/wait-for';
import { READ_TIMEOUTS, ReadQueries } from './read-budget';

jest.setTimeout(60_000);
Logger.overrideLogger(false);

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/roadloop';

describe('read budgets: statement timeouts, read-only reads, cancellation when the client goes away', () => {
  const schema = `int_budget_${randomBytes(4).toString('hex')}`;
  const applicationName = `roadloop-${schema}`;
  let ds: DataSource;
  let app: INestApplication;
  let base: string;

  /** Sleeps in PostgreSQL for `s` seconds, or tries to write. */
  @Controller()
  class Routes {
    constructor(private readonly dataSource: DataSource) {}

    @Get('interactive')
    @ReadQueries('interactive')
    async interactive(@Query('s') s: string) {
      await this.dataSource.query(`SELECT pg_sleep($1::float8)`, [Number(s)]);
      return { slept: Number(s) };
    }

    @Get('analysis')
    @ReadQueries('analysis')
    async analysis(@Query('s') s: string) {
      await this.dataSource.query(`SELECT pg_sleep($1::float8)`, [Number(s)]);
      return { slept: Number(s) };
    }

    @Post('write')
    @ReadQueries('interactive')
    async write() {
      await this.dataSource.query(`INSERT INTO thing (id) VALUES (1)`);
      return { wrote: true };
    }
  }

  /** The backend running one of this test's `pg_sleep`s, if any. */
  const sleeper = async (): Promise<number | undefined> => {
    const rows = (await ds.query(
      `SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND state = 'active' AND query LIKE 'SELECT pg_sleep%' AND pid <> pg_backend_pid()`,
      [applicationName],
    )) as { pid: number }[];
    return rows[0]?.pid;
  };

  beforeAll(async () => {
    ds = await openDatabase({ url, schema, entities: [], migrations: [], poolSize: 4, applicationName }, true);
    await ds.query(`CREATE TABLE thing (id int PRIMARY KEY)`);
    @Module({ controllers: [Routes], providers: [{ provide: DataSource, useValue: ds }, { provide: READ_TIMEOUTS, useValue: { interactive: 200, analysis: 300_000 } }] })
    class AppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.useGlobalFilters(new AppErrorFilter());
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
    if (ds) {
      await ds.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await ds.destroy();
    }
  });

  it('stops a query past its class\'s statement timeout with a 503 that says so, and lets the analysis class take longer', async () => {
    const slow = await fetch(`${base}/interactive?s=30`);
    expect(slow.status).toBe(503);
    expect(await slow.json()).toMatchObject({ error: 'QUERY_TIMEOUT', message: expect.stringContaining('200 ms') });
    expect((await fetch(`${base}/interactive?s=0`)).status).toBe(200);
    expect((await fetch(`${base}/analysis?s=1`)).status).toBe(200);
  });

  it('refuses a write made while serving a read, and leaves the table as it was', async () => {
    expect((await fetch(`${base}/write`, { method: 'POST' })).status).toBe(500);
    expect(await ds.query(`SELECT id FROM thing`)).toEqual([]);
  });

  it('cancels the running query when the client goes away (well inside its statement timeout), and the pool keeps serving', async () => {
    const client = new AbortController();
    const abandoned = fetch(`${base}/analysis?s=120`, { signal: client.signal }).catch((err: Error) => err.name);
    const pid = await waitFor('the analysis query to run', () => sleeper());
    client.abort();
    expect(await abandoned).toBe('AbortError');
    // Without the cancellation it would sleep two minutes; waitFor gives up long before.
    await waitFor('the abandoned query to be cancelled', async () => ((await sleeper()) === pid ? undefined : true), { timeoutMs: 15_000 });
    for (let i = 0; i < 6; i++) expect((await fetch(`${base}/interactive?s=0`)).status).toBe(200);
  });
});
