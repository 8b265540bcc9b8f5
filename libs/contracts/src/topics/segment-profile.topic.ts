import { z } from 'zod';
import { defineTopic } from '../contract';
import { eventSchema, latSchema, lonSchema } from '../envelope';
import { storableString } from '../text';

const side = z.enum(['left', 'right', 'both']).nullable();

/**
 * What other services need to know of a road segment: where it is, and its static roadside
 * attributes (from the geospatial engine). Published when segments are imported or re-imported.
 */
export const segmentProfileSchema = z.strictObject({
  segmentId: storableString().min(1).max(100),
  geometry: z.strictObject({
    type: z.literal('LineString'),
    coordinates: z.array(z.tuple([lonSchema, latSchema])).min(2).max(10_000),
  }),
  roadClass: storableString().min(1),
  name: storableString().nullable(),
  lengthM: z.number().finite().nonnegative(),
  waterDistanceM: z.number().finite().nonnegative().nullable(),
  waterSide: z.enum(['left', 'right', 'both', 'crossing']).nullable(),
  cliffSide: side,
  dropLeftM: z.number().finite().nullable(),
  dropRightM: z.number().finite().nullable(),
  /** Share of the segment's length protected by a guardrail on each side, 0–1. */
  guardrail: z.strictObject({ left: z.number().min(0).max(1), right: z.number().min(0).max(1) }),
  exposureScore: z.number().finite().nonnegative(),
  exposureLevel: storableString().min(1),
});
export type SegmentProfile = z.infer<typeof segmentProfileSchema>;

/** `roadloop.segment.profile.v1`: the latest static profile of a segment (compactable by key). */
export const segmentProfileTopic = defineTopic({
  topic: 'roadloop.segment.profile.v1',
  schemaVersion: 1,
  valueSchema: eventSchema(1, segmentProfileSchema),
  key: (value) => value.payload.segmentId,
  defaultPartitions: 6,
  // The newest profile per segment is the whole state: compacted.
  retention: 'latest-per-key',
});
export type SegmentProfileEvent = z.infer<typeof segmentProfileTopic.valueSchema>;
