import { z } from 'zod';
import { defineTopic } from '../contract';
import { eventSchema } from '../envelope';
import { storableString } from '../text';
import type { HazardCategory } from './hazard-reported.topic';

export const TASK_STATUSES = [
  'created',
  'assigned',
  'accepted',
  'in_progress',
  'submitted',
  'verified',
  'rejected',
  'cancelled',
  'duplicate',
  'unable_to_fix',
  'reopened',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const TASK_CHANGES = [
  'created',
  'assigned',
  'reassigned',
  'accepted',
  'started',
  'submitted',
  'verified',
  'rejected',
  'cancelled',
  'marked_duplicate',
  'unable_to_fix',
  'reopened',
  'escalated',
] as const;
export type TaskChange = (typeof TASK_CHANGES)[number];

/** The countermeasure catalogue. Values are stable API: add new ones, never rename. */
export const COUNTERMEASURES = [
  'guardrail',
  'warning_sign',
  'convex_mirror',
  'delineators',
  'rockfall_clearing',
  'rockfall_netting',
  'drainage',
  'speed_humps',
  'vegetation_clearing',
  'surface_repair',
  'debris_clearing',
  'road_markings',
  'site_inspection',
  /** The road's part of the investigation that follows every fatal crash (一案三查: road, driver, vehicle). */
  'site_investigation',
  /** A survey of a stretch's roadside (is there a guardrail, in what state) before money is committed to works. */
  'roadside_survey',
] as const;
export type Countermeasure = (typeof COUNTERMEASURES)[number];

/**
 * The countermeasure that removes each hazard category. A verified fix of that countermeasure
 * covers the segment's hazards of those categories reported up to its verification; "the same
 * hazard" for the reopen rule means one needing the same countermeasure.
 */
export const COUNTERMEASURE_BY_HAZARD: Record<HazardCategory, Countermeasure> = {
  rockfall: 'rockfall_clearing',
  landslide: 'rockfall_clearing',
  missing_guardrail: 'guardrail',
  damaged_guardrail: 'guardrail',
  flooded_road: 'drainage',
  pothole: 'surface_repair',
  sight_obstruction: 'vegetation_clearing',
  missing_sign: 'warning_sign',
  ice: 'warning_sign',
  debris: 'debris_clearing',
  other: 'site_inspection',
};

export const countermeasureFor = (category: HazardCategory): Countermeasure => COUNTERMEASURE_BY_HAZARD[category];

/** The hazard categories a countermeasure removes (none for, say, speed humps). */
export function hazardCategoriesFixedBy(countermeasure: Countermeasure): HazardCategory[] {
  return (Object.keys(COUNTERMEASURE_BY_HAZARD) as HazardCategory[]).filter((c) => COUNTERMEASURE_BY_HAZARD[c] === countermeasure);
}

export const taskChangedSchema = z.strictObject({
  taskId: z.uuid(),
  segmentId: storableString().min(1).max(100),
  change: z.enum(TASK_CHANGES),
  status: z.enum(TASK_STATUSES),
  previousStatus: z.enum(TASK_STATUSES).nullable(),
  countermeasure: z.enum(COUNTERMEASURES),
  /** For a guardrail: the side(s) of the segment it protects. */
  side: z.enum(['left', 'right', 'both']).nullable(),
  priority: z.enum(['p1', 'p2', 'p3']),
  /** Hazards this task addresses; verification resolves them. */
  hazardIds: z.array(z.uuid()),
  jurisdictionId: storableString().nullable(),
  crewId: storableString().nullable(),
  actor: z.strictObject({ role: storableString().min(1), id: storableString().min(1) }),
  reason: storableString().max(2000).nullable(),
  /** Set on a reopen caused by a crash or the same hazard after verification. */
  fixFailed: z.boolean(),
  dueAt: z.iso.datetime({ offset: true }),
  /** Monotonic per task: consumers ignore a change older than one already applied. */
  version: z.number().int().positive(),
});
export type TaskChanged = z.infer<typeof taskChangedSchema>;

/**
 * `roadloop.task.changed.v1`: every transition of a rectification task, published through the task
 * service's transactional outbox. Keyed by segment so a segment's tasks are seen in order.
 */
export const taskChangedTopic = defineTopic({
  topic: 'roadloop.task.changed.v1',
  schemaVersion: 1,
  valueSchema: eventSchema(1, taskChangedSchema),
  key: (value) => value.payload.segmentId,
  defaultPartitions: 6,
  // Every transition, forever: a verified fix resolves hazards reported up to its verification.
  retention: 'history',
});
export type TaskChangedEvent = z.infer<typeof taskChangedTopic.valueSchema>;
