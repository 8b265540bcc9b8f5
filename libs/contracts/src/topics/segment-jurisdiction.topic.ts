import { z } from 'zod';
import { defineTopic } from '../contract';
import { eventSchema } from '../envelope';
import { storableString } from '../text';

/**
 * Which jurisdiction (township, parish, county district) is responsible for a road segment. The task
 * service owns jurisdictions and the rule that places a segment in one (its midpoint, else most of
 * its length); other services keep this as a read model to filter and group by area.
 */
export const segmentJurisdictionSchema = z.strictObject({
  segmentId: storableString().min(1).max(100),
  /** Null when no jurisdiction covers the segment (any more). */
  jurisdictionId: storableString().min(1).max(100).nullable(),
  jurisdictionName: storableString().min(1).max(200).nullable(),
  /** Monotonic per segment: consumers ignore an assignment older than one already applied. */
  revision: z.number().int().positive(),
});
export type SegmentJurisdiction = z.infer<typeof segmentJurisdictionSchema>;

/** `roadloop.segment.jurisdiction.v1`: a segment's responsible jurisdiction changed (compactable by key). */
export const segmentJurisdictionTopic = defineTopic({
  topic: 'roadloop.segment.jurisdiction.v1',
  schemaVersion: 1,
  valueSchema: eventSchema(1, segmentJurisdictionSchema),
  key: (value) => value.payload.segmentId,
  defaultPartitions: 6,
  // The newest revision per segment is the whole state: compacted.
  retention: 'latest-per-key',
});
export type SegmentJurisdictionEvent = z.infer<typeof segmentJurisdictionTopic.valueSchema>;
