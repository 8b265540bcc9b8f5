import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..');

/** A short id that names this run's topics, schemas, consumer groups and Redis keys. */
export function runId(label: string): string {
  return `${label}${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

export const infra = {
  kafkaBrokers: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
  databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/roadloop',
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
};

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** The sample region (OSM extract and SRTM tile), kept beside the repository, never inside it. */
export const SAMPLE_DATA_DIR = process.env.ROADLOOP_DATA_DIR ?? resolve(REPO_ROOT, '..', 'shared', 'data', 'andorra');

/**
 * The environment that gives a test run's services their own topics and consumer groups (prefix),
 * and their own Redis keys, on the machine's shared broker, database and Redis.
 */
export function isolatedEnv(id: string): Record<string, string> {
  return {
    KAFKA_BROKERS: infra.kafkaBrokers,
    KAFKA_TOPIC_PREFIX: id,
    DATABASE_URL: infra.databaseUrl,
    REDIS_URL: infra.redisUrl,
    REDIS_KEY_PREFIX: `${id}:`,
    // Tests post many anonymous reports from 127.0.0.1; the rate limit has its own test.
    HAZARD_RATE_LIMIT: '1000000',
    ANALYSIS_RATE_LIMIT: '1000000',
  };
}
