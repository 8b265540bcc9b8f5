import { z } from 'zod';
import { databaseEnv, httpEnv, kafkaEnv, loadConfig, redisEnv, schemaName } from '@roadloop/config';

export const riskConfigSchema = z.object({
  ...kafkaEnv,
  ...databaseEnv,
  ...redisEnv,
  ...httpEnv(3001),
  DB_SCHEMA: schemaName.default('risk'),
  /** Reports farther than this from every road segment stay unmatched (kept, visible). */
  MATCH_TOLERANCE_M: z.coerce.number().positive().max(5_000).default(50),
  KAFKA_GROUP_ID: z.string().min(1).default('risk-service'),
});
export type RiskConfig = z.infer<typeof riskConfigSchema>;

export const loadRiskConfig = (env?: Record<string, string | undefined>) => loadConfig('risk-service', riskConfigSchema, env);

export const RISK_CONFIG = Symbol('RISK_CONFIG');
