import { z } from 'zod';
import { latSchema, lonSchema, storableString } from '@roadloop/contracts';

/** One segment as the geospatial engine writes it (`roadloop-geo score`). */
export const segmentFeatureSchema = z.object({
  type: z.literal('Feature'),
  geometry: z.object({
    type: z.literal('LineString'),
    coordinates: z.array(z.tuple([lonSchema, latSchema]).rest(z.number())).min(2),
  }),
  properties: z
    .object({
      id: storableString().min(1).max(100),
      osmWayId: z.number().int().nonnegative(),
      index: z.number().int().nonnegative(),
      lengthM: z.number().finite().nonnegative(),
      roadClass: storableString().min(1),
      name: storableString().nullable().optional(),
      exposureScore: z.number().finite().nonnegative(),
      exposureLevel: storableString().min(1),
      factors: z.unknown().optional(),
    })
    .passthrough(),
});
export type SegmentFeature = z.infer<typeof segmentFeatureSchema>;
