import { DynamicModule, ExecutionContext, Inject, Injectable, Logger, Module, OnApplicationShutdown, SetMetadata } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail, ThrottlerModule, ThrottlerRequest, ThrottlerStorage } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { AppError } from '@roadloop/core';
import { Redis } from 'ioredis';
import { RedisOptions, closeRedis, createRedis, waitForRedis } from './redis';

/** At most `limit` requests per `windowS` seconds; a caller over it waits out the rest of the window. */
export interface RateLimit {
  limit: number;
  windowS: number;
}

export class RateLimitedError extends AppError {
  constructor(what: string, limit: RateLimit, retryAfterS: number) {
    super('rate_limited', 'RATE_LIMITED', `too many ${what}: at most ${limit.limit} per ${limit.windowS} s; retry in ${retryAfterS} s`);
  }
}

/**
 * Counters kept in Redis (shared by replicas) that fail open: while Redis is down a request is
 * served, not refused, like every other Redis-backed feature here.
 */
class FailOpenStorage implements ThrottlerStorage {
  private readonly logger = new Logger('RateLimit');
  private warnedAt = 0;

  constructor(private readonly inner: ThrottlerStorage) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string) {
    try {
      return await this.inner.increment(key, ttl, limit, blockDuration, throttlerName);
    } catch (err) {
      // One warning a minute at most: a Redis outage must not flood the log.
      if (Date.now() - this.warnedAt > 60_000) {
        this.warnedAt = Date.now();
        this.logger.warn(`rate limit not applied, Redis: ${(err as Error).message}`);
      }
      return { totalHits: 0, timeToExpire: 0, isBlocked: false, timeToBlockExpire: 0 };
    }
  }
}

const RATE_LIMIT_REDIS = Symbol('RATE_LIMIT_REDIS');

/** The budget of routes that name none. */
const DEFAULT_BUDGET = 'default';
const RATE_BUDGET = 'roadloop:rate-budget';

/**
 * Counts a route (or a controller's routes) against one of the budgets given to
 * `RateLimitModule.forRoot({ budgets })` instead of the default limit: its own counter and limit.
 */
export const RateBudget = (name: string) => SetMetadata(RATE_BUDGET, name);

@Injectable()
class RateLimitLifecycle implements OnApplicationShutdown {
  constructor(@Inject(RATE_LIMIT_REDIS) private readonly redis: Redis) {}
  onApplicationShutdown(): Promise<void> {
    return closeRedis(this.redis);
  }
}

/**
 * One rate limit per service (`@nestjs/throttler` with its Redis store), applied by the guards
 * below on the routes that need it. The counter is shared by every route a guard protects, so a
 * caller has one budget, not one per route; a route marked `@RateBudget(name)` is counted against
 * that named budget instead (e.g. anonymous photo uploads, a few per quarter hour, apart from reports).
 */
@Module({})
export class RateLimitModule {
  static forRoot(options: { redis: RedisOptions; limit: RateLimit; budgets?: Record<string, RateLimit> }): DynamicModule {
    let redis: Redis | undefined;
    const client = () => (redis ??= createRedis(options.redis));
    return {
      module: RateLimitModule,
      imports: [
        ThrottlerModule.forRootAsync({
          // The first requests are counted too: wait (bounded) for the connection, which refuses commands until then.
          useFactory: async () => {
            await waitForRedis(client());
            return {
              // Each budget is a named throttler; the guards apply only the one the route names.
              throttlers: Object.entries({ ...options.budgets, [DEFAULT_BUDGET]: options.limit }).map(([name, limit]) => ({ name, limit: limit.limit, ttl: limit.windowS * 1000 })),
              storage: new FailOpenStorage(new ThrottlerStorageRedisService(client())),
            };
          },
        }),
      ],
      providers: [{ provide: RATE_LIMIT_REDIS, useFactory: client }, RateLimitLifecycle],
    };
  }
}

/** What a guard counts, and how its 429 names it. */
abstract class CountingGuard extends ThrottlerGuard {
  protected abstract readonly what: string;

  /** One counter per caller across the guarded routes (the throttler's own key is per route). */
  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return `rate:${this.constructor.name}:${name}:${tracker}`;
  }

  /** Counts the request against the route's budget only; a budget no module configured is a programming error. */
  protected override async handleRequest(request: ThrottlerRequest): Promise<boolean> {
    const { context } = request;
    const budget = this.reflector.getAllAndOverride<string | undefined>(RATE_BUDGET, [context.getHandler(), context.getClass()]) ?? DEFAULT_BUDGET;
    if (!this.throttlers.some((t) => t.name === budget)) throw new Error(`rate budget ${budget} is not configured in RateLimitModule.forRoot`);
    return request.throttler.name === budget ? super.handleRequest(request) : true;
  }

  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    // The throttler names the header after a named budget (`Retry-After-<name>`); clients read the plain one.
    this.setResponseHeader(this.getRequestResponse(context).res, 'Retry-After', detail.timeToBlockExpire);
    throw new RateLimitedError(this.what, { limit: detail.limit, windowS: Math.round(detail.ttl / 1000) }, detail.timeToBlockExpire);
  }
}

/**
 * Limits anonymous requests per client address (the socket's peer, or the address Express derives
 * when `trust proxy` is set). A request that carries a verified principal (set by a guard before
 * this one) is not counted here.
 */
@Injectable()
export class ClientAddressRateLimitGuard extends CountingGuard {
  protected readonly what = 'anonymous requests from this address';

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return context.switchToHttp().getRequest<{ principal?: unknown }>().principal !== undefined;
  }
}

/** Limits a signed-in user's requests, keyed by the token's subject; it runs after RolesGuard, which verifies it. */
@Injectable()
export class SubjectRateLimitGuard extends CountingGuard {
  protected readonly what = 'expensive requests from this user';

  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const principal = req.principal as { id?: unknown } | undefined;
    if (typeof principal?.id !== 'string') throw new Error('SubjectRateLimitGuard used without RolesGuard before it');
    return `sub:${principal.id}`;
  }
}
