import type { TaskRecord } from '../tasks/task.model';

/**
 * What kind of work a task is, for a crew's capacity:
 * - `urgent`: p1 work, work on a reported hazard or after a fatal crash, and a fix that did not hold —
 *   always released at once and never counted;
 * - `survey`: a roadside survey (is there a guardrail, in what state) — its own capacity;
 * - `works`: everything else (guardrails, programme items, …) — the crew's works capacity.
 */
export const WORK_CLASSES = ['urgent', 'survey', 'works'] as const;
export type WorkClass = (typeof WORK_CLASSES)[number];

/** The countermeasures that are surveys rather than works. */
export const SURVEY_COUNTERMEASURES: readonly string[] = ['roadside_survey'];
const URGENT_RULES: readonly string[] = ['severe_hazard', 'fatal_crash'];

export function workClassOf(task: Pick<TaskRecord, 'priority' | 'rule' | 'countermeasure' | 'fixFailed'>): WorkClass {
  if (task.priority === 'p1' || URGENT_RULES.includes(task.rule) || task.fixFailed) return 'urgent';
  return SURVEY_COUNTERMEASURES.includes(task.countermeasure) ? 'survey' : 'works';
}

/** The same classification in SQL over the `task` row aliased `t`. */
export const WORK_CLASS_SQL = `(CASE WHEN t.priority = 'p1' OR t.rule IN (${URGENT_RULES.map((r) => `'${r}'`).join(', ')}) OR t.fix_failed THEN 'urgent'
      WHEN t.countermeasure IN (${SURVEY_COUNTERMEASURES.map((c) => `'${c}'`).join(', ')}) THEN 'survey' ELSE 'works' END)`;

/** Statuses in which a released task occupies its crew: from assignment until verified or closed (a submitted fix still waits for its verdict). */
export const OCCUPYING_STATUSES: readonly TaskRecord['status'][] = ['assigned', 'accepted', 'in_progress', 'submitted', 'rejected', 'reopened'];

/** Whether a task holds one of its crew's capacity slots. */
export function occupiesSlot(task: Pick<TaskRecord, 'status' | 'crewId' | 'priority' | 'rule' | 'countermeasure' | 'fixFailed'>): boolean {
  return task.crewId !== null && OCCUPYING_STATUSES.includes(task.status) && workClassOf(task) !== 'urgent';
}

/**
 * Whether a change (before → after) gave back a slot of `before`'s crew: the task left its crew's
 * occupied set (closed, moved to another crew, or became urgent).
 */
export function freedSlot(before: Parameters<typeof occupiesSlot>[0], after: Parameters<typeof occupiesSlot>[0]): boolean {
  return occupiesSlot(before) && (!occupiesSlot(after) || after.crewId !== before.crewId);
}

/** Release order of a crew's queue: priority, then the oldest first, then by id. */
export const QUEUE_ORDER_SQL = `t.priority, t.created_at, t.id`;
