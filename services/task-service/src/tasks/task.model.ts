import { Countermeasure, TaskStatus, TaskView } from '@roadloop/contracts';
import { WORK_PENDING_STATUSES, isQueued } from './task-lifecycle';
import { TaskPriority, TaskRule, TaskSide } from './task-rules';

/** A rectification task as the service holds it. */
export interface TaskRecord {
  id: string;
  segmentId: string;
  countermeasure: Countermeasure;
  side: TaskSide | null;
  status: TaskStatus;
  priority: TaskPriority;
  /** Why the task was opened. */
  reason: string;
  rule: TaskRule;
  hazardIds: string[];
  sourceEventId: string;
  correlationId: string;
  riskLevel: string | null;
  riskScore: number | null;
  jurisdictionId: string | null;
  crewId: string | null;
  version: number;
  fixFailed: boolean;
  duplicateOf: string | null;
  /** The reason given with the latest rejection, cancellation, reopening, … */
  statusReason: string | null;
  reopenCount: number;
  dueAt: Date;
  acceptedAt: Date | null;
  submittedAt: Date | null;
  verifiedAt: Date | null;
  closedAt: Date | null;
  escalatedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface Actor {
  role: string;
  id: string;
}

export const SYSTEM_ACTOR: Actor = { role: 'system', id: 'task-service' };

export interface HistoryEntry {
  taskId: string;
  version: number;
  change: string;
  fromStatus: TaskStatus | null;
  toStatus: TaskStatus;
  actor: Actor;
  reason: string | null;
  details: Record<string, unknown> | null;
  eventId: string | null;
  occurredAt: Date;
}

/** A photo of the evidence: uploaded to the evidence store (by its digest), or, from older clients, only linked by URL. */
export interface EvidencePhoto {
  sha256: string;
  url?: string;
  uploaded?: boolean;
}

export interface EvidenceRecord {
  id: string;
  taskId: string;
  crewId: string | null;
  submittedBy: string;
  photos: EvidencePhoto[];
  lon: number;
  lat: number;
  accuracyM: number;
  capturedAt: Date;
  notes: string | null;
  checks: { check: string; passed: boolean; detail: string; photos?: string[] }[];
  submittedAt: Date;
}

export interface TaskFilter {
  segmentId?: string;
  /** Any of these statuses. */
  status?: TaskStatus[];
  jurisdictionId?: string;
  crewId?: string;
  priority?: TaskPriority;
  overdue?: boolean;
  /** minLon, minLat, maxLon, maxLat: the task's segment midpoint lies in the box. */
  bbox?: [number, number, number, number];
  /** Keyset paging: only tasks after this one in the list's order (newest first, then by id). */
  after?: { createdAtUs: string; id: string };
  limit: number;
  offset: number;
}

/** A task found by a list query, with where it is drawn and where the next page starts. */
export interface LocatedTask {
  task: TaskRecord;
  /** The midpoint of the task's segment, or null while the segment's geometry is unknown. */
  location: { lon: number; lat: number } | null;
  cursor: { createdAtUs: string; id: string };
}

/** Overdue: past due while the crew still owes the fix (a submitted fix waits for the inspector, not the crew). */
export function isOverdue(task: Pick<TaskRecord, 'status' | 'dueAt' | 'crewId'>, now: Date): boolean {
  return WORK_PENDING_STATUSES.includes(task.status) && !isQueued(task) && task.dueAt.getTime() < now.getTime();
}

/** The JSON shape of a task in the HTTP API (its schema: the contracts' `taskViewSchema`). */
export function taskView(task: TaskRecord, now: Date): TaskView {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    id: task.id,
    segmentId: task.segmentId,
    countermeasure: task.countermeasure,
    side: task.side,
    status: task.status,
    priority: task.priority,
    reason: task.reason,
    rule: task.rule,
    hazardIds: task.hazardIds,
    jurisdictionId: task.jurisdictionId,
    crewId: task.crewId,
    version: task.version,
    fixFailed: task.fixFailed,
    duplicateOf: task.duplicateOf,
    statusReason: task.statusReason,
    reopenCount: task.reopenCount,
    riskLevel: task.riskLevel,
    riskScore: task.riskScore,
    dueAt: task.dueAt.toISOString(),
    overdue: isOverdue(task, now),
    /** Waiting in its crew's queue (the crew is at capacity): released in priority order as work completes. */
    queued: isQueued(task),
    escalated: task.escalatedAt !== null,
    escalatedAt: iso(task.escalatedAt),
    acceptedAt: iso(task.acceptedAt),
    submittedAt: iso(task.submittedAt),
    verifiedAt: iso(task.verifiedAt),
    closedAt: iso(task.closedAt),
    createdAt: task.createdAt.toISOString(),
    updatedAt: task.updatedAt.toISOString(),
    correlationId: task.correlationId,
  };
}
export type { TaskView } from '@roadloop/contracts';
