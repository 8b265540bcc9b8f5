import { z } from 'zod';
import { defineTopic } from '../contract';
import { eventSchema } from '../envelope';
import { storableString } from '../text';
import { HAZARD_CATEGORIES } from './hazard-reported.topic';
import { RISK_LEVELS } from './segment-risk-changed.topic';

export const ALARMS = ['green', 'yellow', 'red'] as const;
export type RiskAlarm = (typeof ALARMS)[number];

/**
 * What moved a segment's risk: a report, a task, a re-import, a new version of the risk model, or
 * its roadside inventory as recorded (a survey's findings, an imported survey; the id is the segment's).
 */
export const RISK_CHANGE_CAUSES = ['hazard', 'accident', 'fix', 'import', 'model', 'inventory'] as const;

/**
 * One factor of the risk: the factors' values multiply to the score (crashes per km-year from
 * traffic, crash modification factors, the crash history's EB ratio, open hazards, the severity share).
 */
export const riskFactorV2Schema = z.strictObject({
  factor: storableString().min(1).max(40),
  value: z.number().finite().nonnegative(),
  detail: storableString().max(1000).optional(),
  /** On an open hazard's factor: its category, typed (v1 put it in the factor's name). */
  hazardCategory: z.enum(HAZARD_CATEGORIES).optional(),
});
export type RiskFactorV2 = z.infer<typeof riskFactorV2Schema>;

export const segmentRiskChangedV2Schema = z.strictObject({
  segmentId: storableString().min(1).max(100),
  previousLevel: z.enum(RISK_LEVELS).nullable(),
  level: z.enum(RISK_LEVELS),
  /** Expected fatal and serious crashes per km per year. */
  score: z.number().finite().nonnegative(),
  /** The three-colour alarm from live signals (crashes above expectation, open severe hazards, failed fixes). */
  alarm: z.enum(ALARMS),
  /** Monotonic per segment: consumers ignore a change older than one already applied. */
  revision: z.number().int().nonnegative(),
  factors: z.array(riskFactorV2Schema).max(200),
  cause: z.strictObject({ kind: z.enum(RISK_CHANGE_CAUSES), id: storableString().min(1).max(200) }).optional(),
  /** The risk model version that computed the score. */
  modelVersion: storableString().min(1).max(40),
  lengthM: z.number().finite().nonnegative().optional(),
  roadClass: storableString().max(100).optional(),
  name: storableString().max(500).nullable().optional(),
});
export type SegmentRiskChangedV2 = z.infer<typeof segmentRiskChangedV2Schema>;

/**
 * `roadloop.segment.risk-changed.v2`: a segment's risk level moved. Breaking change from v1: the
 * score is expected fatal and serious crashes per km-year (v1: points), factors multiply instead of
 * adding, the hazard category is a typed field (v1: the factor name "hazard:<category>"), and the
 * alarm and model version are carried. v1 is no longer produced.
 */
export const segmentRiskChangedV2Topic = defineTopic({
  topic: 'roadloop.segment.risk-changed.v2',
  schemaVersion: 2,
  valueSchema: eventSchema(2, segmentRiskChangedV2Schema),
  key: (value) => value.payload.segmentId,
  defaultPartitions: 3,
  // Every level change, forever: the task service's risk-driven tasks are built from it.
  retention: 'history',
});
export type SegmentRiskChangedV2Event = z.infer<typeof segmentRiskChangedV2Topic.valueSchema>;
