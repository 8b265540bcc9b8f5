import { z } from 'zod';
import { HAZARD_CATEGORIES, HAZARD_SEVERITIES } from './topics/hazard-reported.topic';

/**
 * How far a report has come, as its reporter follows it: received (stored, not on a known road
 * yet or at all), matched to a road, linked to a task that will fix it, fixed (a verified task
 * resolved it).
 */
export const TRACKING_STAGES = ['received', 'matched', 'linked', 'fixed'] as const;
export type TrackingStage = (typeof TRACKING_STAGES)[number];

/** Where the report was placed: not looked at yet, on a road segment, or on no known road (a dispatcher reviews it). */
export const PLACEMENTS = ['pending', 'on_road', 'off_road'] as const;
export type Placement = (typeof PLACEMENTS)[number];

/**
 * A report's progress as the risk service answers it (`GET /v1/hazards/:id/status`) and the gateway
 * passes it on. What the reporter (whoever holds the hazard's id, the tracking code) may see: the
 * report as sent, its road, and its task's progress. Never the reporter's name or contact, the id
 * of another report (a duplicate's original: its own tracking code) or of the task.
 */
export const hazardTrackingSchema = z.object({
  hazardId: z.string(),
  stage: z.enum(TRACKING_STAGES),
  placement: z.enum(PLACEMENTS),
  category: z.enum(HAZARD_CATEGORIES),
  severity: z.enum(HAZARD_SEVERITIES),
  lon: z.number(),
  lat: z.number(),
  description: z.string().nullable(),
  photoUrls: z.array(z.string()),
  reportedAt: z.string().describe('ISO 8601 date-time'),
  updatedAt: z.string().describe('ISO 8601 date-time').describe("the latest change seen: the report, its task's last transition or its resolution"),
  duplicate: z.boolean().describe('reported again by someone else before: followed together with the first report'),
  road: z.object({ segmentId: z.string(), name: z.string().nullable(), roadClass: z.string().nullable(), jurisdiction: z.string().nullable() }).nullable(),
  task: z.object({ countermeasure: z.string(), status: z.string(), updatedAt: z.string().describe('ISO 8601 date-time') }).nullable(),
  resolvedAt: z.string().describe('ISO 8601 date-time').nullable(),
});
export type HazardTracking = z.infer<typeof hazardTrackingSchema>;
