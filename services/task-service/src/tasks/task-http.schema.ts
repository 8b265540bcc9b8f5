import { z } from 'zod';
import { TASK_STATUSES, latSchema, lonSchema, storable, storableString } from '@roadloop/contracts';
import { enumListParam } from '@roadloop/http';
import { bboxSchema } from '../http-query';
import { refIdSchema } from '../jurisdictions/jurisdiction.schema';
import { TASK_PRIORITIES } from './task-rules';

const reason = storableString().trim().min(1).max(2000);
const versioned = { expectedVersion: z.number().int().positive().optional() };

export const MAX_TASK_LIMIT = 1000;

/** Where the next page starts: the (creation time in microseconds, id) of the last task of this page. */
export interface TaskCursor {
  createdAtUs: string;
  id: string;
}

export function encodeTaskCursor(c: TaskCursor): string {
  return Buffer.from(`${c.createdAtUs}_${c.id}`, 'utf8').toString('base64url');
}

const cursorSchema = z.string().max(200).transform((raw, ctx): TaskCursor => {
  const m = /^(\d{1,18})_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/.exec(Buffer.from(raw, 'base64url').toString('utf8'));
  if (!m) {
    ctx.addIssue({ code: 'custom', message: 'not a cursor this service returned (nextCursor)' });
    return z.NEVER;
  }
  return { createdAtUs: m[1], id: m[2] };
});

/**
 * `GET /v1/tasks`: filters (all combined with AND; `status` takes several values), newest first,
 * `limit` per page and `cursor` (the previous page's `nextCursor`) for the next; `offset` is kept for
 * older clients and cannot be combined with `cursor`. `jurisdiction` is `jurisdictionId` by its short name.
 */
export const listQueryObject = z
  .object({
    segmentId: storableString().min(1).max(100).optional(),
    status: enumListParam(TASK_STATUSES).optional(),
    jurisdiction: refIdSchema.optional(),
    jurisdictionId: refIdSchema.optional(),
    crewId: refIdSchema.optional(),
    priority: z.enum(TASK_PRIORITIES).optional(),
    overdue: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
    /** Tasks whose segment midpoint lies in the box (tasks of segments not known yet are left out). */
    bbox: bboxSchema.optional(),
    limit: z.coerce.number().int().min(1).max(MAX_TASK_LIMIT).default(50),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
    cursor: cursorSchema.optional(),
    format: z.enum(['json', 'csv', 'geojson']).default('json'),
  })
  .strict();
export const listQuerySchema = listQueryObject
  .superRefine((q, ctx) => {
    if (q.jurisdiction && q.jurisdictionId && q.jurisdiction !== q.jurisdictionId) {
      ctx.addIssue({ code: 'custom', path: ['jurisdiction'], message: 'differs from jurisdictionId; give one of them' });
    }
    if (q.cursor && q.offset) ctx.addIssue({ code: 'custom', path: ['cursor'], message: 'cannot be combined with offset' });
  })
  .transform(({ jurisdiction, jurisdictionId, ...q }) => ({ ...q, jurisdictionId: jurisdiction ?? jurisdictionId }));
export type ListQuery = z.infer<typeof listQuerySchema>;

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
            /** Older clients link a photo they host; a photo uploaded to this task needs only its digest. */
            url: storable(z.url({ protocol: /^https?$/ }).max(2048)).optional(),
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
    notes: storableString().max(2000).optional(),
  })
  .strict();

export const submitSchema = z.object({ evidence: evidenceSchema, ...versioned }).strict();
