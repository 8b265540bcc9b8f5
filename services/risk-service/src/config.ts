import { z } from 'zod';
import { authEnv, requireProductionSecret } from '@roadloop/auth';
import { consumerBatchSize, databaseEnv, httpEnv, kafkaEnv, loadConfig, redisEnv, schemaName } from '@roadloop/config';

/** The settings without the production-secret rule: for the command-line tools, which check no tokens. */
export const riskSettingsSchema = z
  .object({
    ...authEnv,
    ...kafkaEnv,
    ...databaseEnv,
    ...redisEnv,
    ...httpEnv(3001),
    DB_SCHEMA: schemaName.default('risk'),
    /** Reports farther than this from every road segment stay unmatched (kept, visible). */
    MATCH_TOLERANCE_M: z.coerce.number().positive().max(5_000).default(50),
    KAFKA_GROUP_ID: z.string().min(1).default('risk-service'),
    /**
     * Runs of up to a fetch's worth of reports (1 MB a partition, ~2,000 of them): against 500, a
     * burst of 20,000 went through 17 % faster (docs/benchmarks.md). The risk service's runs take no
     * lock per segment outside their rows; the task service's do, and keep the shared default.
     */
    KAFKA_CONSUMER_BATCH_SIZE: consumerBatchSize(2_000),
    /** How often the matcher checks whether segments were (re-)imported, ms. */
    MATCHER_REFRESH_MS: z.coerce.number().int().min(100).max(3_600_000).default(5_000),
    /**
     * Above this many segments the map's in-memory feature index (~1.7 KB a segment, measured on
     * Andorra) is not built and full-resolution boxes are read from PostGIS: 200,000 keep it near 350 MB.
     */
    FEATURE_INDEX_MAX_SEGMENTS: z.coerce.number().int().min(0).max(100_000_000).default(200_000),
    /**
     * The reaches (a segment and its neighbours on its way) of the segments re-scored most recently
     * kept in memory by the risk model's runs (~2.3 KB each, measured on Andorra); 0 reads each from
     * the database. See `ReachCache`.
     */
    REACH_CACHE_SEGMENTS: z.coerce.number().int().min(0).max(200_000).default(10_000),
    /** How often pending segment profiles are announced, ms. */
    PROFILE_RELAY_MS: z.coerce.number().int().min(100).max(3_600_000).default(2_000),
    /** Hazards of one category this close in space and time are one hazard (linked as duplicates). */
    DUPLICATE_HAZARD_DISTANCE_M: z.coerce.number().min(0).max(5_000).default(50),
    DUPLICATE_HAZARD_DAYS: z.coerce.number().min(0).max(365).default(7),
    /** Statement timeout of each query of an interactive read (a segment, a list, the map), ms. */
    DB_READ_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(3_000),
    /** Statement timeout of analysis reads (hotspots, effectiveness, polygons); below the gateway's UPSTREAM_TIMEOUT_MS, ms. */
    DB_ANALYSIS_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(4_500),
    /** Analysis reads one user (token subject) may make per ANALYSIS_RATE_WINDOW_S; more get 429. */
    ANALYSIS_RATE_LIMIT: z.coerce.number().int().min(1).max(10_000_000).default(60),
    ANALYSIS_RATE_WINDOW_S: z.coerce.number().int().min(1).max(86_400).default(60),
  });
export const riskConfigSchema = riskSettingsSchema.superRefine(requireProductionSecret);
export type RiskConfig = z.infer<typeof riskConfigSchema>;

export const loadRiskConfig = (env?: Record<string, string | undefined>) => loadConfig('risk-service', riskConfigSchema, env);

/** The command-line tools' settings: like the service's, but a development `JWT_SECRET` is fine (no token is checked). */
export const loadRiskCliConfig = (env?: Record<string, string | undefined>) =>
  loadConfig('risk-service', riskSettingsSchema, env);

export const RISK_CONFIG = Symbol('RISK_CONFIG');
