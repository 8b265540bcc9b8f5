import type { HazardCategory, HazardSeverity } from './topics/hazard-reported.topic';

/**
 * How far a report has come, as its reporter follows it: received (stored, not on a known road
 * yet or at all), matched to a road, linked to a task that will fix it, fixed (a verified task
 * resolved it).
 */
export const TRACKING_STAGES = ['received', 'matched', 'linked', 'fixed'] as const;
export type TrackingStage = (typeof TRACKING_STAGES)[number];

/** Where the report was placed: not looked at yet, on a road segment, or on no known road (a dispatcher reviews it). */
export type Placement = 'pending' | 'on_road' | 'off_road';

/**
 * A report's progress as the risk service answers it (`GET /v1/hazards/:id/status`) and the gateway
 * passes it on. What the reporter (whoever holds the hazard's id, the tracking code) may see: the
 * report as sent, its road, and its task's progress. Never the reporter's name or contact, the id
 * of another report (a duplicate's original: its own tracking code) or of the task.
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
