import { z } from 'zod';
import { authEnv, requireProductionSecret } from '@roadloop/auth';
import { httpEnv, kafkaEnv, loadConfig } from '@roadloop/config';

export const gatewayConfigSchema = z
  .object({
    ...authEnv,
    ...kafkaEnv,
    ...httpEnv(3000),
    /** Where task queries and commands are forwarded. */
    TASK_SERVICE_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:3002'),
    /** Where segment and risk queries are forwarded. */
    RISK_SERVICE_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:3001'),
    UPSTREAM_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  })
  .superRefine(requireProductionSecret);
export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;

export const loadGatewayConfig = (env?: Record<string, string | undefined>) =>
  loadConfig('ingest-gateway', gatewayConfigSchema, env);

export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
