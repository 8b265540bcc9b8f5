import { z } from 'zod';
import { TASK_STATUSES, latSchema, lonSchema } from '@roadloop/contracts';
import { refIdSchema } from '../jurisdictions/jurisdiction.schema';
import { TASK_PRIORITIES } from './task-rules';

const reason = z.string().trim().min(1).max(2000);
const versioned = { expectedVersion: z.number().int().positive().optional() };

export const listQuerySchema = z
  .object({
    segmentId: z.string().min(1).max(100).optional(),
    status: z.enum(TASK_STATUSES).optional(),
    jurisdictionId: refIdSchema.optional(),
    crewId: refIdSchema.optional(),
    priority: z.enum(TASK_PRIORITIES).optional(),
    overdue: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  })
  .strict();

export const versionOnlySchema = z.object(versioned).strict();
export const assignSchema = z.object({ crewId: refIdSchema, reason: reason.optional(), ...versioned }).strict();
export const reasonSchema = z.object({ reason, ...versioned }).strict();
export const verifySchema = z.object({ notes: reason.optional(), ...versioned }).strict();
export const duplicateSchema = z.object({ ofTaskId: z.uuid(), reason: reason.optional(), ...versioned }).strict();
export const reopenSchema = z.object({ reason, fixFailed: z.boolean().optional(), ...versioned }).strict();

export const evidenceSchema = z
  .object({
    photos: z
      .array(
        z
          .object({
            url: z.url({ protocol: /^https?$/ }).max(2048),
            sha256: z
              .string()
              .regex(/^[0-9a-fA-F]{64}$/, 'a SHA-256 digest: 64 hexadecimal characters')
              .transform((h) => h.toLowerCase()),
          })
          .strict(),
      )
      .max(20),
    position: z.object({ lon: lonSchema, lat: latSchema, accuracyM: z.number().finite().min(0).max(10_000) }).strict(),
    capturedAt: z.iso.datetime({ offset: true }),
    notes: z.string().max(2000).optional(),
  })
  .strict();

export const submitSchema = z.object({ evidence: evidenceSchema, ...versioned }).strict();
