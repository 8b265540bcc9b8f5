import { z } from 'zod';

/** Thrown when the environment does not satisfy a service's configuration schema. */
export class ConfigError extends Error {
  constructor(
    readonly service: string,
    readonly problems: string[],
  ) {
    super(`${service}: invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment once against a schema. Every bad variable is reported together, by its
 * name, so an operator fixes them in one go. Nothing outside this library reads `process.env`.
 */
export function loadConfig<S extends z.ZodType>(
  service: string,
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      service,
      result.error.issues.map((i) => `${i.path.join('.') || '(environment)'}: ${i.message}`),
    );
  }
  return result.data;
}

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const port = z.coerce.number().int().min(1).max(65535);

const brokerList = z
  .string()
  .min(1)
  .transform((s) => s.split(',').map((b) => b.trim()).filter(Boolean))
  .pipe(z.array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port')).min(1));

/** `KAFKA_CONSUMER_BATCH_SIZE` with a service's own default. */
export function consumerBatchSize(byDefault: number) {
  return z.coerce.number().int().min(1).max(10_000).default(byDefault);
}

/** Kafka connection and topic settings. `KAFKA_TOPIC_PREFIX` isolates deployments and test runs. */
export const kafkaEnv = {
  KAFKA_BROKERS: brokerList.default(['127.0.0.1:9092']),
  KAFKA_TOPIC_PREFIX: z.string().regex(/^[a-zA-Z0-9._-]*$/).default(''),
  KAFKA_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(3),
  KAFKA_CONSUMER_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
  KAFKA_CREATE_TOPICS: bool.default(true),
  /** How long the broker waits for a silent consumer before giving its partitions to another, ms. */
  KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6_000).max(300_000).default(30_000),
  /** Longest pause between attempts to reach the broker while a service starts without it, ms. */
  KAFKA_CONNECT_RETRY_MAX_MS: z.coerce.number().int().min(100).max(300_000).default(10_000),
  /** Most messages of a partition a consumer hands to a batch handler at once (one transaction, one publish). */
  KAFKA_CONSUMER_BATCH_SIZE: consumerBatchSize(500),
  /** Partitions each consumer handles at the same time. */
  KAFKA_PARTITIONS_CONCURRENTLY: z.coerce.number().int().min(1).max(64).default(4),
};

/** PostgreSQL (with PostGIS). Each service owns one schema. */
export const databaseEnv = {
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).default('postgres://postgres@127.0.0.1:5432/roadloop'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  DB_MIGRATE_ON_START: bool.default(true),
};

/** Redis for hot reads and rankings. `REDIS_KEY_PREFIX` isolates deployments and test runs. */
export const redisEnv = {
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379'),
  REDIS_KEY_PREFIX: z.string().regex(/^[a-zA-Z0-9:._-]*$/).default('roadloop:'),
};

export const httpEnv = (defaultPort: number) => ({
  HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  HTTP_PORT: port.default(defaultPort),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** json: one JSON object per line, with correlation and event ids; text: Nest's coloured lines. */
  LOG_FORMAT: z.enum(['json', 'text']).default('json'),
});

export const schemaName = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a lower-case SQL identifier');

export { bool as booleanFlag, port as portNumber };

const kafkaEnvSchema = z.object(kafkaEnv);
const databaseEnvSchema = z.object(databaseEnv);
const redisEnvSchema = z.object(redisEnv);
/** A service's Kafka settings, as `kafkaEnv` parses them. */
export type KafkaEnv = z.infer<typeof kafkaEnvSchema>;
/** A service's PostgreSQL settings, as `databaseEnv` parses them. */
export type DatabaseEnv = z.infer<typeof databaseEnvSchema>;
/** A service's Redis settings, as `redisEnv` parses them. */
export type RedisEnv = z.infer<typeof redisEnvSchema>;
