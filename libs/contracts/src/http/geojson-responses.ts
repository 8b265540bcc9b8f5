import { z } from 'zod';

/** A GeoJSON geometry as the API sends it (RFC 7946); its coordinates are not checked here. */
export const geometrySchema = z.looseObject({
  type: z.enum(['Point', 'MultiPoint', 'LineString', 'MultiLineString', 'Polygon', 'MultiPolygon', 'GeometryCollection']),
  coordinates: z.array(z.unknown()).optional(),
});

/** A GeoJSON Feature with the given properties. */
export const featureSchema = <P extends z.ZodType>(properties: P) =>
  z.object({
    type: z.literal('Feature'),
    id: z.union([z.string(), z.number()]).optional(),
    geometry: geometrySchema.nullable(),
    properties,
  });

/** A GeoJSON FeatureCollection (members beside `features`, such as `page` or `filters`, allowed). */
export const featureCollectionSchema = <P extends z.ZodType>(properties: P) =>
  z.looseObject({ type: z.literal('FeatureCollection'), features: z.array(featureSchema(properties)) });

export const anyFeatureCollectionSchema = featureCollectionSchema(z.record(z.string(), z.unknown()));
export type AnyFeatureCollection = z.infer<typeof anyFeatureCollectionSchema>;
