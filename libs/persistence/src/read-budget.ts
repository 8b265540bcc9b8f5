import { CallHandler, ExecutionContext, Inject, Injectable, Logger, NestInterceptor, SetMetadata, UseInterceptors, applyDecorators } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Pool, PoolClient, QueryResult } from 'pg';
import { Observable, finalize } from 'rxjs';
import { DataSource, QueryRunner } from 'typeorm';
import { AppError } from '@roadloop/core';

/**
 * How much database time a request may take, by class: `interactive` reads (a segment, a page of
 * a list, the map) and `analysis` (hotspots, effectiveness, polygons), which may take longer.
 */
export type QueryClass = 'interactive' | 'analysis';
export type ReadTimeouts = Readonly<Record<QueryClass, number>>;
export const READ_TIMEOUTS = Symbol('READ_TIMEOUTS');

export class QueryTimeoutError extends AppError {
  constructor(timeoutMs: number) {
    super(
      'unavailable',
      'QUERY_TIMEOUT',
      `the database needed more than ${timeoutMs} ms for one query of this request; ask for less (a smaller area, fewer years, a lower limit)`,
    );
  }
}

export class RequestGoneError extends AppError {
  constructor() {
    super('unavailable', 'REQUEST_CANCELLED', 'the client went away; its queries were cancelled');
  }
}

/** PostgreSQL's SQLSTATE for a statement cancelled by statement_timeout or pg_cancel_backend. */
const QUERY_CANCELED = '57014';

/**
 * The database side of one HTTP read: its queries run on one connection of the pool, read-only,
 * each bounded by `statement_timeout`; when the client (or the gateway in front) goes away, the
 * running query is cancelled with `pg_cancel_backend` and the connection is discarded rather than
 * returned to the pool (a late cancel must never reach another caller's query).
 */
export class ReadBudget {
  private readonly logger = new Logger(ReadBudget.name);
  private client: Promise<PoolClient> | undefined;
  private pid: number | undefined;
  private running = 0;
  private ended = false;

  constructor(
    private readonly pool: Pool,
    readonly timeoutMs: number,
    private readonly signal: AbortSignal,
  ) {
    signal.addEventListener('abort', () => void this.cancel(), { once: true });
  }

  /** Whether queries still go through this budget (after the request, work it started uses the pool as usual). */
  get open(): boolean {
    return !this.ended;
  }

  async query(sql: string, parameters?: unknown[]): Promise<unknown> {
    if (this.signal.aborted) throw new RequestGoneError();
    const client = await this.connection();
    if (this.signal.aborted) throw new RequestGoneError();
    this.running++;
    try {
      const result: QueryResult = await client.query(sql, parameters as unknown[] | undefined);
      // What TypeORM's DataSource.query answers: the rows, or [rows, count] for UPDATE and DELETE.
      return result.command === 'UPDATE' || result.command === 'DELETE' ? [result.rows, result.rowCount] : result.rows;
    } catch (err) {
      if ((err as { code?: string }).code === QUERY_CANCELED) throw this.signal.aborted ? new RequestGoneError() : new QueryTimeoutError(this.timeoutMs);
      throw err;
    } finally {
      this.running--;
    }
  }

  /** Gives the connection back (settings reset) or, after a cancellation, closes it. */
  async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    if (!this.client) return;
    let client: PoolClient;
    try {
      client = await this.client;
    } catch {
      return;
    }
    if (this.signal.aborted) return client.release(new Error('request cancelled'));
    try {
      await client.query('RESET statement_timeout; RESET default_transaction_read_only');
      client.release();
    } catch (err) {
      client.release(err as Error);
    }
  }

  private connection(): Promise<PoolClient> {
    this.client ??= (async () => {
      const client = await this.pool.connect();
      try {
        const [, , pid] = (await client.query(
          `SET statement_timeout = ${Math.floor(this.timeoutMs)}; SET default_transaction_read_only = on; SELECT pg_backend_pid() AS pid`,
        )) as unknown as QueryResult<{ pid: number }>[];
        this.pid = pid.rows[0].pid;
        return client;
      } catch (err) {
        client.release(err as Error);
        throw err;
      }
    })();
    return this.client;
  }

  private async cancel(): Promise<void> {
    if (this.pid === undefined || this.running === 0 || this.ended) return;
    try {
      await this.pool.query('SELECT pg_cancel_backend($1)', [this.pid]);
    } catch (err) {
      this.logger.warn(`could not cancel the query of a request that went away: ${(err as Error).message}`);
    }
  }
}

const budgets = new AsyncLocalStorage<ReadBudget>();

/**
 * The data source of every service: `query()` outside a transaction runs in the read budget of
 * the HTTP request being served, when there is one (see {@link ReadBudgetInterceptor}); elsewhere
 * (consumers, schedulers, transactions) exactly as TypeORM's.
 */
export class BudgetedDataSource extends DataSource {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query<T = any>(query: string, parameters?: any[], queryRunner?: QueryRunner): Promise<T> {
    const budget = budgets.getStore();
    if (budget?.open && !queryRunner) return budget.query(query, parameters) as Promise<T>;
    return super.query<T>(query, parameters, queryRunner);
  }
}

const QUERY_CLASS = 'roadloop:query-class';

/**
 * Runs each request of the handler or controller in a {@link ReadBudget} of its class: the
 * statement timeout of `READ_TIMEOUTS[queryClass]`, and cancellation when the response closes
 * before it was sent.
 */
@Injectable()
export class ReadBudgetInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly dataSource: DataSource,
    @Inject(READ_TIMEOUTS) private readonly timeouts: ReadTimeouts,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const queryClass = this.reflector.getAllAndOverride<QueryClass | undefined>(QUERY_CLASS, [context.getHandler(), context.getClass()]) ?? 'interactive';
    const res = context.switchToHttp().getResponse<{ writableFinished: boolean; on(e: 'close', f: () => void): void; off(e: 'close', f: () => void): void }>();
    const gone = new AbortController();
    const onClose = () => {
      if (!res.writableFinished) gone.abort();
    };
    res.on('close', onClose);
    const pool = (this.dataSource.driver as unknown as { master: Pool }).master;
    const budget = new ReadBudget(pool, this.timeouts[queryClass], gone.signal);
    // The handler runs inside the budget's async context (Nest binds it when handle() is called).
    return budgets.run(budget, () => next.handle()).pipe(
      finalize(() => {
        res.off('close', onClose);
        void budget.end();
      }),
    );
  }
}

/** The database reads of this controller's handlers run in a read budget, `interactive` unless a handler says otherwise. */
export const ReadQueries = (queryClass: QueryClass = 'interactive') =>
  applyDecorators(SetMetadata(QUERY_CLASS, queryClass), UseInterceptors(ReadBudgetInterceptor));

/** A handler's class, under a controller marked with {@link ReadQueries}. */
export const ReadQueryClass = (queryClass: QueryClass) => SetMetadata(QUERY_CLASS, queryClass);
