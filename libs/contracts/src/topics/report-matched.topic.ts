import { z } from 'zod';
import { defineTopic } from '../contract';
import { eventSchema, latSchema, lonSchema } from '../envelope';
import { storableString } from '../text';
import { HAZARD_CATEGORIES, HAZARD_SEVERITIES } from './hazard-reported.topic';

const matchBase = {
  segmentId: storableString().min(1).max(100),
  distanceM: z.number().finite().nonnegative(),
  offsetM: z.number().finite().nonnegative(),
  lon: lonSchema,
  lat: latSchema,
};

export const hazardMatchedSchema = z.strictObject({
  kind: z.literal('hazard'),
  hazardId: z.uuid(),
  category: z.enum(HAZARD_CATEGORIES),
  severity: z.enum(HAZARD_SEVERITIES),
  reportedAt: z.iso.datetime({ offset: true }),
  ...matchBase,
});

export const accidentMatchedSchema = z.strictObject({
  kind: z.literal('accident'),
  accidentId: z.uuid(),
  externalId: storableString().min(1).max(100).optional(),
  occurredAt: z.iso.datetime({ offset: true }),
  deaths: z.number().int().min(0),
  seriousInjuries: z.number().int().min(0),
  slightInjuries: z.number().int().min(0),
  propertyDamageOnly: z.boolean(),
  ...matchBase,
});

export const reportMatchedSchema = z.discriminatedUnion('kind', [hazardMatchedSchema, accidentMatchedSchema]);
export type ReportMatched = z.infer<typeof reportMatchedSchema>;
export type HazardMatched = z.infer<typeof hazardMatchedSchema>;
export type AccidentMatched = z.infer<typeof accidentMatchedSchema>;

/**
 * `roadloop.segment.report-matched.v1`: a hazard or accident report placed on its road segment.
 * Keyed by segment, so every report about one segment is seen in order by one consumer instance
 * (single writer per segment), and the risk and task services scale by partitions.
 */
export const reportMatchedTopic = defineTopic({
  topic: 'roadloop.segment.report-matched.v1',
  schemaVersion: 1,
  valueSchema: eventSchema(1, reportMatchedSchema),
  key: (value) => value.payload.segmentId,
  defaultPartitions: 6,
  // Derived from the reports, but the task service's tasks are built from it: kept like them.
  retention: 'history',
});
export type ReportMatchedEvent = z.infer<typeof reportMatchedTopic.valueSchema>;
