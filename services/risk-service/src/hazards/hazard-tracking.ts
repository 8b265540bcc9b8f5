import { HazardCategory, HazardSeverity, TaskStatus } from '@roadloop/contracts';

/**
 * How far a report has come, as its reporter follows it: received (stored, not on a known road
 * yet or at all), matched to a road, linked to a task that will fix it, fixed (a verified task
 * resolved it).
 */
export const TRACKING_STAGES = ['received', 'matched', 'linked', 'fixed'] as const;
export type TrackingStage = (typeof TRACKING_STAGES)[number];

/** Where the report was placed: not looked at yet, on a road segment, or on no known road (a dispatcher reviews it). */
export type Placement = 'pending' | 'on_road' | 'off_road';

/** Task states that will still resolve the hazard when they reach `verified`. */
const LINKING_TASK_STATUSES: readonly TaskStatus[] = ['created', 'assigned', 'accepted', 'in_progress', 'submitted', 'rejected', 'unable_to_fix', 'reopened'];
export const isLinkingTaskStatus = (status: string): boolean => (LINKING_TASK_STATUSES as readonly string[]).includes(status);

export interface TrackedHazardRow {
  id: string;
  category: HazardCategory;
  severity: HazardSeverity;
  lon: number;
  lat: number;
  description: string | null;
  photoUrls: string[];
  status: 'open' | 'resolved' | 'duplicate';
  reportedAt: string;
  assessed: boolean;
  resolvedAt: string | null;
  segmentId: string | null;
  roadName: string | null;
  roadClass: string | null;
  jurisdictionName: string | null;
  /** The task that resolved it, else the open task of its countermeasure on its (or its original's) segment. */
  task: { countermeasure: string; status: string; updatedAt: string; verifiedAt: string | null } | null;
}

/**
 * What the reporter (whoever holds the hazard's id, the tracking code) may see: the report as
 * sent, its road, and its task's progress. Never the reporter's name or contact, the id of another
 * report (a duplicate's original: its own tracking code) or of the task.
 */
export interface HazardTracking {
  hazardId: string;
  stage: TrackingStage;
  placement: Placement;
  category: HazardCategory;
  severity: HazardSeverity;
  lon: number;
  lat: number;
  description: string | null;
  photoUrls: string[];
  reportedAt: string;
  /** The latest change seen: the report, its task's last transition or its resolution. */
  updatedAt: string;
  /** Reported again by someone else before: followed together with the first report. */
  duplicate: boolean;
  road: { segmentId: string; name: string | null; roadClass: string | null; jurisdiction: string | null } | null;
  task: { countermeasure: string; status: string; updatedAt: string } | null;
  resolvedAt: string | null;
}

export function trackingStage(row: Pick<TrackedHazardRow, 'status' | 'segmentId' | 'task'>): TrackingStage {
  if (row.status === 'resolved') return 'fixed';
  if (row.task && isLinkingTaskStatus(row.task.status)) return 'linked';
  if (row.segmentId !== null) return 'matched';
  return 'received';
}

export function trackingOf(row: TrackedHazardRow, duplicate: boolean): HazardTracking {
  const placement: Placement = row.segmentId !== null ? 'on_road' : row.assessed ? 'off_road' : 'pending';
  const times = [row.reportedAt, row.task?.updatedAt, row.resolvedAt].filter((t): t is string => !!t);
  return {
    hazardId: row.id,
    stage: trackingStage(row),
    placement,
    category: row.category,
    severity: row.severity,
    lon: row.lon,
    lat: row.lat,
    description: row.description,
    photoUrls: row.photoUrls,
    reportedAt: row.reportedAt,
    updatedAt: times.reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a)),
    duplicate,
    road: row.segmentId === null ? null : { segmentId: row.segmentId, name: row.roadName, roadClass: row.roadClass, jurisdiction: row.jurisdictionName },
    task: row.task ? { countermeasure: row.task.countermeasure, status: row.task.status, updatedAt: row.task.updatedAt } : null,
    resolvedAt: row.resolvedAt,
  };
}
