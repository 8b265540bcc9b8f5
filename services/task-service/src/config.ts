import { z } from 'zod';
import { authEnv, requireProductionSecret } from '@roadloop/auth';
import { booleanFlag, databaseEnv, httpEnv, kafkaEnv, loadConfig, redisEnv, schemaName } from '@roadloop/config';
import { RISK_LEVELS } from '@roadloop/contracts';
import { DEFAULT_PROTECTION, type ProtectionThresholds } from '@roadloop/geo';

const positive = (max: number) => z.coerce.number().positive().max(max);

/** A comma-separated list of OSM `highway=*` classes. */
const roadClassList = z
  .string()
  .transform((s) => s.split(',').map((c) => c.trim()).filter(Boolean))
  .pipe(z.array(z.string().regex(/^[a-z_]+$/, 'an OSM highway class like tertiary')));

/** The settings without the production-secret rule: for the command-line tools, which check no tokens. */
export const taskSettingsSchema = z
  .object({
    ...kafkaEnv,
    ...databaseEnv,
    ...redisEnv,
    ...httpEnv(3002),
    ...authEnv,
    DB_SCHEMA: schemaName.default('task'),
    KAFKA_GROUP_ID: z.string().min(1).default('task-service'),
    /** Hours from a task's creation (or reopening) to its due time, per priority. */
    SLA_HOURS_P1: positive(24 * 365).default(24),
    SLA_HOURS_P2: positive(24 * 365).default(72),
    SLA_HOURS_P3: positive(24 * 365).default(240),
    /** Hours from a fatal crash's report to the due time of the site investigation it opens. */
    SLA_HOURS_FATAL_INVESTIGATION: positive(24 * 365).default(168),
    /** A crash, or a hazard the fix should have removed, this many days after verification reopens the task. */
    REOPEN_WINDOW_DAYS: positive(3650).default(90),
    /** The lowest risk level whose reaching opens a task. */
    RISK_TASK_MIN_LEVEL: z.enum(RISK_LEVELS).default('very_high'),
    /** Completion evidence farther than this from the segment, in metres, is flagged. */
    EVIDENCE_MAX_DISTANCE_M: positive(100_000).default(100),
    /** How far in the future an evidence time may be (device clocks drift), in seconds. */
    EVIDENCE_CLOCK_SKEW_S: z.coerce.number().int().min(0).max(3600).default(300),
    /** The evidence store: a directory on disk that holds uploaded photos and their thumbnails. */
    PHOTO_STORE_DIR: z.string().min(1).default('.roadloop/photos'),
    /** The largest photo upload, bytes (a phone's full-resolution JPEG or HEIC is 2–12 MB). */
    PHOTO_MAX_BYTES: z.coerce.number().int().min(1_024).max(200 * 1024 * 1024).default(20 * 1024 * 1024),
    /** Photos one task may hold (uploads beyond are refused). */
    PHOTO_MAX_PER_TASK: z.coerce.number().int().min(1).max(1_000).default(60),
    ESCALATION_INTERVAL_MS: z.coerce.number().int().min(100).max(86_400_000).default(60_000),
    OUTBOX_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(500),
    OUTBOX_BATCH_SIZE: z.coerce.number().int().min(1).max(5_000).default(200),
    /** Red when at least this many tasks of a jurisdiction are overdue (or any p1 is). */
    STATUS_RED_OVERDUE_COUNT: z.coerce.number().int().min(1).max(10_000).default(3),
    /** Yellow when an open task is due within this many hours. */
    STATUS_AT_RISK_HOURS: positive(24 * 30).default(24),
    /** The daily index is served for days this recent at most (older: 400), in days. */
    DAILY_INDEX_MAX_AGE_DAYS: z.coerce.number().int().min(1).max(3660).default(730),
    /** How often the service records today's live index rows and freezes the days that ended, ms. */
    DAILY_INDEX_RECORD_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(900_000),
    /** Released works tasks a crew holds at most (a crew's own capacity overrides it); more wait in its queue. */
    CREW_WORKS_CAPACITY: z.coerce.number().int().min(1).max(10_000).default(20),
    /** Released surveys a crew holds at most, counted apart from works. */
    CREW_SURVEY_CAPACITY: z.coerce.number().int().min(1).max(10_000).default(10),
    /** The crew that gets tasks outside every jurisdiction (or in one without a crew); empty: they wait for a dispatcher. */
    DEFAULT_CREW_ID: z
      .string()
      .regex(/^([A-Za-z0-9][A-Za-z0-9._-]{0,63})?$/, 'a crew id (letters, digits, . _ -)')
      .optional()
      .transform((v) => v || undefined),
    /** Longest stretch of one task (a survey or a guardrail), metres; a longer run becomes several. */
    STRETCH_MAX_LENGTH_M: z.coerce.number().min(100).max(50_000).default(2_000),
    /** How often needs that arrived with profiles are gathered into stretches and their tasks opened, ms. */
    STRETCH_PLAN_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(5_000),
    /** Whether a segment profile (published on import) can open a mandatory guardrail task. */
    MANDATORY_PROTECTION_ENABLED: booleanFlag.default(true),
    // The rule's thresholds override libs/geo DEFAULT_PROTECTION, whose values are the defaults.
    /** Road classes the rule applies to; tertiary and above by default (see README). */
    MANDATORY_PROTECTION_ROAD_CLASSES: roadClassList.default([...DEFAULT_PROTECTION.roadClasses]),
    /**
     * Water within this many metres of the centre line makes a side need a guardrail (MUST):
     * overrides GUARDRAIL_MUST_WATER_MAX_M (20 m), not the map's and rankings' water-side (WATER_SIDE_MAX_M, 30 m).
     */
    MANDATORY_PROTECTION_WATER_DISTANCE_M: z.coerce.number().min(0).max(1_000).default(DEFAULT_PROTECTION.guardrailWaterMaxM),
    /** A drop of at least this many metres beside the road makes a side cliff-side (guardrail SHOULD). */
    MANDATORY_PROTECTION_CLIFF_DROP_M: z.coerce.number().min(0).max(1_000).default(DEFAULT_PROTECTION.cliffDropM),
    /** A side counts as protected when this share of its length has a guardrail, 0–1. */
    MANDATORY_PROTECTION_MIN_GUARDRAIL_SHARE: z.coerce.number().min(0).max(1).default(DEFAULT_PROTECTION.minGuardrailShare),
  });
export const taskConfigSchema = taskSettingsSchema.superRefine(requireProductionSecret);
export type TaskConfig = z.infer<typeof taskConfigSchema>;

/** The mandatory-protection rule's thresholds, as the settings give them. */
export function protectionThresholdsOf(config: TaskConfig): ProtectionThresholds {
  return {
    roadClasses: config.MANDATORY_PROTECTION_ROAD_CLASSES,
    guardrailWaterMaxM: config.MANDATORY_PROTECTION_WATER_DISTANCE_M,
    cliffDropM: config.MANDATORY_PROTECTION_CLIFF_DROP_M,
    minGuardrailShare: config.MANDATORY_PROTECTION_MIN_GUARDRAIL_SHARE,
  };
}

/** Hours to fix a task of each priority, as the settings give them. */
export function slaHoursOf(config: TaskConfig): Record<'p1' | 'p2' | 'p3', number> {
  return { p1: config.SLA_HOURS_P1, p2: config.SLA_HOURS_P2, p3: config.SLA_HOURS_P3 };
}

export const loadTaskConfig = (env?: Record<string, string | undefined>) => loadConfig('task-service', taskConfigSchema, env);

/** The command-line tools' settings: like the service's, but a development `JWT_SECRET` is fine (no token is checked). */
export const loadTaskCliConfig = (env?: Record<string, string | undefined>) =>
  loadConfig('task-service', taskSettingsSchema, env);

export const TASK_CONFIG = Symbol('TASK_CONFIG');
