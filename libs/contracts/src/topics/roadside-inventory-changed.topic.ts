import { z } from 'zod';
import { defineTopic } from '../contract';
import { eventSchema } from '../envelope';
import { storableString } from '../text';

/** What stands beside one side of a segment: a guardrail present, absent, damaged, or not known. */
export const ROADSIDE_INVENTORY_STATES = ['present', 'absent', 'damaged', 'unknown'] as const;
/** Where the state comes from: OpenStreetMap, an imported survey, a crew's field survey, a verified fix. */
export const ROADSIDE_INVENTORY_SOURCES = ['osm', 'import', 'crew_survey', 'verified_fix'] as const;

export const roadsideInventoryChangedSchema = z.strictObject({
  segmentId: storableString().min(1).max(100),
  /** The sides whose state was recorded (one or both). */
  sides: z
    .array(
      z.strictObject({
        side: z.enum(['left', 'right']),
        status: z.enum(ROADSIDE_INVENTORY_STATES),
        source: z.enum(ROADSIDE_INVENTORY_SOURCES),
        observedAt: z.iso.datetime({ offset: true }),
      }),
    )
    .min(1)
    .max(2),
});
export type RoadsideInventoryChanged = z.infer<typeof roadsideInventoryChangedSchema>;

/**
 * `roadloop.roadside.inventory-changed.v1`: the task service recorded a segment's roadside inventory
 * (a survey's findings, an import); the risk service re-scores the segment with its sides guarded
 * or not. Published through the task service's outbox, keyed by segment.
 */
export const roadsideInventoryChangedTopic = defineTopic({
  topic: 'roadloop.roadside.inventory-changed.v1',
  schemaVersion: 1,
  valueSchema: eventSchema(1, roadsideInventoryChangedSchema),
  key: (value) => value.payload.segmentId,
  defaultPartitions: 6,
  // Every recording, forever: one event may record one side only, so the latest per segment is not enough.
  retention: 'history',
});
export type RoadsideInventoryChangedEvent = z.infer<typeof roadsideInventoryChangedTopic.valueSchema>;
