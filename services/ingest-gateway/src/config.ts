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
    /** Interval of the comment line that keeps idle live streams open, ms. */
    LIVE_HEARTBEAT_MS: z.coerce.number().int().min(1_000).max(300_000).default(15_000),
    /** Live clients one process serves at once; more get 503. */
    LIVE_MAX_CLIENTS: z.coerce.number().int().min(1).max(100_000).default(1_000),
    /** Live streams one user (token subject) may hold open at once; more get 429. */
    LIVE_MAX_STREAMS_PER_USER: z.coerce.number().int().min(1).max(1_000).default(3),
    /** A live client with more than this queued is too slow and is disconnected, bytes. */
    LIVE_CLIENT_BUFFER_BYTES: z.coerce.number().int().min(4_096).max(64 * 1024 * 1024).default(256 * 1024),
  })
  .superRefine(requireProductionSecret);
export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;

export const loadGatewayConfig = (env?: Record<string, string | undefined>) =>
  loadConfig('ingest-gateway', gatewayConfigSchema, env);

export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
