import { TaskChange, TaskStatus } from '@roadloop/contracts';

/**
 * The task lifecycle as a pure state machine (Open311 / FixMyStreet states):
 *
 *   created ─assign→ assigned ─accept→ accepted ─start→ in_progress ─submit→ submitted ─verify→ verified
 *                      ↑ reassign (assigned, accepted, in_progress, rejected)        │reject      │reopen
 *                      │                                                  rejected ←┘            ↓
 *                      └────────────────────────── assign ───────────────────────────────── reopened
 *   rejected ─start→ in_progress (the crew works again on the inspector's reason)
 *   any open state ─cancel→ cancelled | ─mark_duplicate→ duplicate | ─unable_to_fix→ unable_to_fix
 *   escalate: an open, not yet submitted task stays in its state and is flagged.
 *
 * A rejection is a state of its own (`rejected`) so that dispatchers see fixes waiting to be redone.
 */
export type TaskAction =
  | 'assign'
  | 'accept'
  | 'start'
  | 'submit'
  | 'verify'
  | 'reject'
  | 'cancel'
  | 'mark_duplicate'
  | 'unable_to_fix'
  | 'reopen'
  | 'escalate';

export const TASK_ACTIONS: readonly TaskAction[] = [
  'assign',
  'accept',
  'start',
  'submit',
  'verify',
  'reject',
  'cancel',
  'mark_duplicate',
  'unable_to_fix',
  'reopen',
  'escalate',
];

/** Statuses in which a task still needs work; the unique index allows one per segment and countermeasure. */
export const OPEN_STATUSES: readonly TaskStatus[] = ['created', 'assigned', 'accepted', 'in_progress', 'submitted', 'rejected', 'reopened'];
export const CLOSED_STATUSES: readonly TaskStatus[] = ['verified', 'cancelled', 'duplicate', 'unable_to_fix'];
/** Open statuses in which the crew still owes the fix: these can be overdue and escalate. */
export const WORK_PENDING_STATUSES: readonly TaskStatus[] = ['created', 'assigned', 'accepted', 'in_progress', 'rejected', 'reopened'];

export const isOpen = (status: TaskStatus) => OPEN_STATUSES.includes(status);

/**
 * A task in a crew's queue: created, held by a crew, not released yet (the crew was at capacity).
 * Its SLA clock starts at release, so it is never overdue while it waits.
 */
export const isQueued = (task: { status: TaskStatus; crewId: string | null }) => task.status === 'created' && task.crewId !== null;

/**
 * SQL: whether a task whose status is `status` and crew `crew` (column expressions) is on the SLA
 * clock — released work the crew still owes, or work that waits for any crew at all; a queued task is not.
 */
export function onSlaClockSql(status: string, crew: string): string {
  const pending = WORK_PENDING_STATUSES.map((s) => `'${s}'`).join(', ');
  return `(${status} IN (${pending}) AND NOT (${status} = 'created' AND ${crew} IS NOT NULL))`;
}

export type Transition = { ok: true; to: TaskStatus; change: TaskChange } | { ok: false; reason: string };

const TABLE: Record<TaskAction, Partial<Record<TaskStatus, { to: TaskStatus; change: TaskChange }>>> = {
  assign: {
    created: { to: 'assigned', change: 'assigned' },
    reopened: { to: 'assigned', change: 'assigned' },
    assigned: { to: 'assigned', change: 'reassigned' },
    accepted: { to: 'assigned', change: 'reassigned' },
    in_progress: { to: 'assigned', change: 'reassigned' },
    rejected: { to: 'assigned', change: 'reassigned' },
  },
  accept: { assigned: { to: 'accepted', change: 'accepted' } },
  start: {
    accepted: { to: 'in_progress', change: 'started' },
    rejected: { to: 'in_progress', change: 'started' },
  },
  submit: { in_progress: { to: 'submitted', change: 'submitted' } },
  verify: { submitted: { to: 'verified', change: 'verified' } },
  reject: { submitted: { to: 'rejected', change: 'rejected' } },
  cancel: Object.fromEntries(OPEN_STATUSES.map((s) => [s, { to: 'cancelled', change: 'cancelled' }])),
  mark_duplicate: Object.fromEntries(OPEN_STATUSES.map((s) => [s, { to: 'duplicate', change: 'marked_duplicate' }])),
  unable_to_fix: Object.fromEntries(OPEN_STATUSES.map((s) => [s, { to: 'unable_to_fix', change: 'unable_to_fix' }])),
  reopen: { verified: { to: 'reopened', change: 'reopened' } },
  escalate: Object.fromEntries(WORK_PENDING_STATUSES.map((s) => [s, { to: s, change: 'escalated' }])),
};

/** The state a task in `status` moves to under `action`, or why it cannot. Never throws. */
export function transition(status: TaskStatus, action: TaskAction): Transition {
  const next = TABLE[action][status];
  if (next) return { ok: true, ...next };
  const from = Object.keys(TABLE[action]);
  return { ok: false, reason: `cannot ${action.replace(/_/g, ' ')} a task that is ${status} (only from ${from.join(', ')})` };
}

/** Every legal (status, action) pair: for tests and documentation. */
export function legalTransitions(): { from: TaskStatus; action: TaskAction; to: TaskStatus; change: TaskChange }[] {
  return TASK_ACTIONS.flatMap((action) =>
    Object.entries(TABLE[action]).map(([from, next]) => ({ from: from as TaskStatus, action, ...next! })),
  );
}
