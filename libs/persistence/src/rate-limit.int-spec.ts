import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { CanActivate, Controller, ExecutionContext, Get, INestApplication, Injectable, Logger, Module, UseGuards } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { AppErrorFilter } from '@roadloop/http';
import { ClientAddressRateLimitGuard, RateBudget, RateLimitModule, SubjectRateLimitGuard } from './rate-limit';

jest.setTimeout(30_000);
Logger.overrideLogger(false);

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Stands for RolesGuard: the `x-user` header is the verified subject. */
@Injectable()
class FakeAuth implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<{ headers: Record<string, string>; principal?: { id: string } }>();
    if (req.headers['x-user']) req.principal = { id: req.headers['x-user'] };
    return true;
  }
}

@Controller()
class Routes {
  @Get('report')
  @UseGuards(FakeAuth, ClientAddressRateLimitGuard)
  report() {
    return { ok: true };
  }

  @Get('photo')
  @UseGuards(FakeAuth, ClientAddressRateLimitGuard)
  @RateBudget('photos')
  photo() {
    return { ok: true };
  }

  @Get('heavy-a')
  @UseGuards(FakeAuth, SubjectRateLimitGuard)
  heavyA() {
    return { ok: true };
  }

  @Get('heavy-b')
  @UseGuards(FakeAuth, SubjectRateLimitGuard)
  heavyB() {
    return { ok: true };
  }
}

async function appWith(redisUrl: string, keyPrefix: string): Promise<{ app: INestApplication; url: string }> {
  @Module({
    imports: [RateLimitModule.forRoot({ redis: { url: redisUrl, keyPrefix }, limit: { limit: 3, windowS: 60 }, budgets: { photos: { limit: 2, windowS: 600 } } })],
    controllers: [Routes],
  })
  class AppModule {}
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  app.useGlobalFilters(new AppErrorFilter());
  await app.listen(0, '127.0.0.1');
  return { app, url: await app.getUrl() };
}

describe('rate limits with @nestjs/throttler and its Redis store', () => {
  const prefix = `int-rate-${randomBytes(4).toString('hex')}:`;
  const apps: INestApplication[] = [];
  let url: string;
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${url}${path}`, { headers });

  beforeAll(async () => {
    const started = await appWith(REDIS_URL, prefix);
    apps.push(started.app);
    url = started.url.replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('answers 429 with Retry-After to an anonymous client past its limit, keeps the counters in Redis, and does not count signed-in callers', async () => {
    for (let i = 0; i < 3; i++) expect((await get('/report')).status).toBe(200);
    const refused = await get('/report');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ statusCode: 429, error: 'RATE_LIMITED', message: expect.stringMatching(/at most 3 per 60 s/) });
    expect((await get('/report', { 'x-user': 'ana' })).status).toBe(200);
    const redis = new Redis(REDIS_URL);
    try {
      expect((await redis.keys(`${prefix}*`)).length).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
    }
  });

  it('gives each user one budget across the expensive routes, keyed by subject', async () => {
    expect((await get('/heavy-a', { 'x-user': 'ana' })).status).toBe(200);
    expect((await get('/heavy-b', { 'x-user': 'ana' })).status).toBe(200);
    expect((await get('/heavy-a', { 'x-user': 'ana' })).status).toBe(200);
    expect((await get('/heavy-b', { 'x-user': 'ana' })).status).toBe(429);
    expect((await get('/heavy-b', { 'x-user': 'bob' })).status).toBe(200);
  });

  it('counts a route with its own budget apart from the default one, and answers its 429 with a plain Retry-After', async () => {
    const { app, url: own } = await appWith(REDIS_URL, `${prefix}budget:`);
    apps.push(app);
    const at = (path: string) => fetch(`${own.replace('[::1]', '127.0.0.1')}${path}`);
    for (let i = 0; i < 2; i++) expect((await at('/photo')).status).toBe(200);
    const refused = await at('/photo');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(60);
    expect(await refused.json()).toMatchObject({ error: 'RATE_LIMITED', message: expect.stringMatching(/at most 2 per 600 s/) });
    // The default budget is untouched by the photos and the photos' by it.
    for (let i = 0; i < 3; i++) expect((await at('/report')).status).toBe(200);
    expect((await at('/report')).status).toBe(429);
  });

  it('serves requests, without limit, while Redis cannot be reached', async () => {
    const { app, url: down } = await appWith('redis://127.0.0.1:1', `${prefix}down:`);
    apps.push(app);
    for (let i = 0; i < 5; i++) expect((await fetch(`${down.replace('[::1]', '127.0.0.1')}/report`)).status).toBe(200);
  });
});
