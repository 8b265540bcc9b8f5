import { Redis } from 'ioredis';

export interface RedisOptions {
  url: string;
  keyPrefix: string;
}

/**
 * A client that fails fast while Redis is down (no offline queue, one retry per command) so callers
 * can fall back to the database instead of hanging; it keeps reconnecting in the background.
 */
export function createRedis(options: RedisOptions): Redis {
  return new Redis(options.url, {
    keyPrefix: options.keyPrefix,
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  });
}

/** Waits for the first connection (bounded), without failing when Redis is not there. */
export async function waitForRedis(redis: Redis, timeoutMs = 3_000): Promise<boolean> {
  if (redis.status === 'ready') return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => done(false), timeoutMs);
    const onReady = () => done(true);
    function done(ok: boolean) {
      clearTimeout(timer);
      redis.off('ready', onReady);
      resolve(ok);
    }
    redis.once('ready', onReady);
  });
}

/** Closes the connection cleanly (QUIT), or drops it when Redis is unreachable. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  const ended = new Promise<void>((resolve) => redis.once('end', () => resolve()));
  try {
    if (redis.status === 'ready') await redis.quit();
    else redis.disconnect();
  } catch {
    redis.disconnect();
  }
  if ((redis.status as string) === 'end') return;
  // QUIT resolves on the server's OK; the socket closes just after. Wait for it, but not forever.
  const timer = setTimeout(() => redis.disconnect(), 2_000);
  await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 2_500))]);
  clearTimeout(timer);
}
