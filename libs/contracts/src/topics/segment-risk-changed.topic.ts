import { z } from 'zod';
import { defineTopic } from '../contract';
import { eventSchema } from '../envelope';
import { storableString } from '../text';

/** Five risk levels, lowest first; each has a map colour. */
export const RISK_LEVELS = ['very_low', 'low', 'medium', 'high', 'very_high'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export const riskFactorSchema = z.strictObject({
  factor: storableString().min(1),
  value: z.number().finite(),
  detail: storableString().optional(),
});

export const segmentRiskChangedSchema = z.strictObject({
  segmentId: storableString().min(1).max(100),
  previousLevel: z.enum(RISK_LEVELS).nullable(),
  level: z.enum(RISK_LEVELS),
  score: z.number().finite().nonnegative(),
  /** Monotonic per segment: consumers ignore a change older than one already applied. */
  revision: z.number().int().nonnegative(),
  factors: z.array(riskFactorSchema),
  /** The report that caused the change, when one did. */
  cause: z
    .strictObject({ kind: z.enum(['hazard', 'accident', 'fix', 'import', 'decay']), id: storableString().min(1) })
    .optional(),
  lengthM: z.number().finite().nonnegative().optional(),
  roadClass: storableString().optional(),
  name: storableString().nullable().optional(),
});
export type SegmentRiskChanged = z.infer<typeof segmentRiskChangedSchema>;

/**
 * `roadloop.segment.risk-changed.v1`: a segment's risk level moved, scored in points. No longer
 * produced (risk model 2 publishes `roadloop.segment.risk-changed.v2`); kept so retained messages stay readable.
 */
export const segmentRiskChangedTopic = defineTopic({
  topic: 'roadloop.segment.risk-changed.v1',
  schemaVersion: 1,
  valueSchema: eventSchema(1, segmentRiskChangedSchema),
  key: (value) => value.payload.segmentId,
  defaultPartitions: 3,
  // No longer produced: nothing is rebuilt from it.
  retention: 'broker-default',
});
export type SegmentRiskChangedEvent = z.infer<typeof segmentRiskChangedTopic.valueSchema>;
