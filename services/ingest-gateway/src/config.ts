import { z } from 'zod';
import { authEnv, requireProductionSecret } from '@roadloop/auth';
import { httpEnv, kafkaEnv, loadConfig, redisEnv } from '@roadloop/config';

/** One service URL, or several instances of it separated by commas (reads are spread over them, a refused connection tries the next). */
const serviceUrls = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((s) => s.split(',').map((u) => u.trim()).filter(Boolean))
    .pipe(z.array(z.url({ protocol: /^https?$/ })).min(1, 'expected at least one URL'));

export const gatewayConfigSchema = z
  .object({
    ...authEnv,
    ...kafkaEnv,
    ...httpEnv(3000),
    /** Redis keeps the rate limits' counters (shared by gateway replicas). */
    ...redisEnv,
    /** Where task queries and commands are forwarded (comma-separated for several instances). */
    TASK_SERVICE_URL: serviceUrls('http://127.0.0.1:3002'),
    /** Where segment and risk queries are forwarded (comma-separated for several instances). */
    RISK_SERVICE_URL: serviceUrls('http://127.0.0.1:3001'),
    /** How long an instance that refused a connection is passed over before it is tried again, ms. */
    UPSTREAM_DOWN_MS: z.coerce.number().int().min(0).max(600_000).default(5_000),
    /**
     * The longest a report waits for the broker before the gateway answers 503, ms: while the broker
     * is away a reporter hears so promptly, with Retry-After, instead of after kafkajs's retries.
     */
    PUBLISH_TIMEOUT_MS: z.coerce.number().int().min(500).max(60_000).default(5_000),
    /** The Retry-After of a 503 given while the broker cannot take reports, s. */
    PUBLISH_RETRY_AFTER_S: z.coerce.number().int().min(1).max(3_600).default(5),
    /** The largest photo upload passed on to the task service, bytes (the task service has its own limit too). */
    PHOTO_MAX_BYTES: z.coerce.number().int().min(1_024).max(200 * 1024 * 1024).default(20 * 1024 * 1024),
    UPSTREAM_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
    /** Interval of the comment line that keeps idle live streams open, ms. */
    LIVE_HEARTBEAT_MS: z.coerce.number().int().min(1_000).max(300_000).default(15_000),
    /** Live clients one process serves at once; more get 503. */
    LIVE_MAX_CLIENTS: z.coerce.number().int().min(1).max(100_000).default(1_000),
    /** Live streams one user (token subject) may hold open at once; more get 429. */
    LIVE_MAX_STREAMS_PER_USER: z.coerce.number().int().min(1).max(1_000).default(3),
    /** How far in the future a report's time may be (reporters' clocks drift), s. */
    REPORT_CLOCK_SKEW_S: z.coerce.number().int().min(0).max(86_400).default(300),
    /**
     * How old an anonymous hazard report may say it is, hours: what a villager saw in the last
     * days; shorter than the duplicate window, so a backdated copy still meets the report it repeats.
     */
    HAZARD_ANONYMOUS_MAX_AGE_H: z.coerce.number().int().min(1).max(24 * 365).default(72),
    /** How old a hazard report from a signed-in user (a dispatcher entering reports taken earlier) may be, days. */
    HAZARD_MAX_AGE_DAYS: z.coerce.number().int().min(1).max(3_660).default(30),
    /** How old a crash may be: the history a county imports (scoring reads 3 years; the before–after up to 6), days. */
    ACCIDENT_MAX_AGE_DAYS: z.coerce.number().int().min(1).max(36_600).default(3_660),
    /** Anonymous hazard reports one client address may post per HAZARD_RATE_WINDOW_S; more get 429. */
    HAZARD_RATE_LIMIT: z.coerce.number().int().min(1).max(10_000_000).default(30),
    HAZARD_RATE_WINDOW_S: z.coerce.number().int().min(1).max(86_400).default(60),
    /** Anonymous report photos one client address may upload per REPORT_PHOTO_RATE_WINDOW_S (a budget of its own); more get 429. */
    REPORT_PHOTO_RATE_LIMIT: z.coerce.number().int().min(1).max(10_000_000).default(10),
    REPORT_PHOTO_RATE_WINDOW_S: z.coerce.number().int().min(1).max(86_400).default(600),
    /** A live client with more than this queued is too slow and is disconnected, bytes. */
    LIVE_CLIENT_BUFFER_BYTES: z.coerce.number().int().min(4_096).max(64 * 1024 * 1024).default(256 * 1024),
  })
  .superRefine(requireProductionSecret);
export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;

export const loadGatewayConfig = (env?: Record<string, string | undefined>) =>
  loadConfig('ingest-gateway', gatewayConfigSchema, env);

export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
