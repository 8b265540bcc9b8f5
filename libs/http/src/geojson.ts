import type { Point } from 'geojson';

/**
 * GeoJSON answers (RFC 7946), for maps: every `format=geojson` of the services is a FeatureCollection
 * with any foreign members (paging, parameters) beside `features`.
 */
export const GEOJSON_CONTENT_TYPE = 'application/geo+json';

export interface Feature<G = object | null, P = Record<string, unknown>> {
  type: 'Feature';
  id?: string | number;
  geometry: G;
  properties: P;
}

/** A Feature with its id (in the properties too, where the caller repeats it). */
export function feature<G, P>(id: string | number, geometry: G, properties: P): Feature<G, P> & { id: string | number } {
  return { type: 'Feature', id, geometry, properties };
}

/** A FeatureCollection; `extra` are foreign members written before `features`. */
export function featureCollection<F extends Feature<unknown, unknown>, E extends Record<string, unknown> = Record<never, never>>(features: F[], extra?: E) {
  return { type: 'FeatureCollection' as const, ...(extra ?? ({} as E)), features };
}

export function point(lon: number, lat: number): Point {
  return { type: 'Point', coordinates: [lon, lat] };
}
