import { z } from 'zod';
import { defineTopic } from '../contract';
import { eventSchema, latSchema, lonSchema } from '../envelope';
import { storable, storableString } from '../text';

/** What a reporter saw on the road. Values are stable API: add new ones, never rename. */
export const HAZARD_CATEGORIES = [
  'rockfall',
  'landslide',
  'missing_guardrail',
  'damaged_guardrail',
  'flooded_road',
  'pothole',
  'sight_obstruction',
  'missing_sign',
  'ice',
  'debris',
  'other',
] as const;
export type HazardCategory = (typeof HAZARD_CATEGORIES)[number];

export const HAZARD_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type HazardSeverity = (typeof HAZARD_SEVERITIES)[number];

export const hazardReportSchema = z.strictObject({
  hazardId: z.uuid(),
  category: z.enum(HAZARD_CATEGORIES),
  severity: z.enum(HAZARD_SEVERITIES),
  lon: lonSchema,
  lat: latSchema,
  reportedAt: z.iso.datetime({ offset: true }),
  description: storableString().max(2000).optional(),
  photoUrls: z.array(storable(z.url({ protocol: /^https?$/ }).max(2048))).max(10).optional(),
  reporter: z
    .object({
      name: storableString().max(200).optional(),
      contact: storableString().max(200).optional(),
      kind: z.enum(['villager', 'patrol', 'police', 'road_crew', 'other']).optional(),
    })
    .strict()
    .optional(),
});
export type HazardReport = z.infer<typeof hazardReportSchema>;

/** `roadloop.hazard.reported.v1`: a hazard report as received, before it is matched to a road. */
export const hazardReportedTopic = defineTopic({
  topic: 'roadloop.hazard.reported.v1',
  schemaVersion: 1,
  valueSchema: eventSchema(1, hazardReportSchema),
  // One report's events stay in order; reports are independent of each other until matched.
  key: (value) => value.payload.hazardId,
  defaultPartitions: 3,
  // Every hazard report, forever: the risk service's hazards and scores are rebuilt from it.
  retention: 'history',
});
export type HazardReportedEvent = z.infer<typeof hazardReportedTopic.valueSchema>;
