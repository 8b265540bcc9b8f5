import { HazardCategory, HazardSeverity, HazardTracking, Placement, TaskStatus, TrackingStage } from '@roadloop/contracts';

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
