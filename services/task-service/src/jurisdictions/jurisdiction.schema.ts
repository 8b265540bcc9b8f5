import { z } from 'zod';
import { latSchema, lonSchema, storableString } from '@roadloop/contracts';

/** Ids of jurisdictions and crews: short, URL-safe. */
export const refIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, . _ - (at most 64)');

const position = z.union([z.tuple([lonSchema, latSchema]), z.tuple([lonSchema, latSchema, z.number().finite()])]);
const ring = z
  .array(position)
  .min(4, 'a linear ring needs at least 4 positions')
  .max(100_000)
  .refine((r) => r[0][0] === r[r.length - 1][0] && r[0][1] === r[r.length - 1][1], 'a linear ring must be closed (first = last position)');
const polygonCoordinates = z.array(ring).min(1).max(10_000);

/** A GeoJSON (RFC 7946) Polygon or MultiPolygon in lon/lat; PostGIS then checks validity (self-intersections, …). */
export const jurisdictionGeometrySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('Polygon'), coordinates: polygonCoordinates }).strict(),
  z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(polygonCoordinates).min(1).max(10_000) }).strict(),
]);
export type JurisdictionGeometry = z.infer<typeof jurisdictionGeometrySchema>;

export const putJurisdictionSchema = z
  .object({ name: storableString().trim().min(1).max(200), geometry: jurisdictionGeometrySchema })
  .strict();

/** A crew's capacity of released tasks of a class; omitted or null: the service's default. */
const capacity = z.number().int().min(1).max(10_000).nullable().optional();

export const putCrewSchema = z
  .object({ name: storableString().trim().min(1).max(200), jurisdictionId: refIdSchema, worksCapacity: capacity, surveyCapacity: capacity })
  .strict();

/** One feature of the CLI's FeatureCollection: `properties.id` and `properties.name`. */
export const jurisdictionFeatureSchema = z.object({
  type: z.literal('Feature'),
  geometry: jurisdictionGeometrySchema,
  properties: z.object({ id: refIdSchema, name: storableString().trim().min(1).max(200) }),
});
