/** GeoJSON response bodies, for maps. */

export const GEOJSON_CONTENT_TYPE = 'application/geo+json';

export interface Feature<G = object | null, P = Record<string, unknown>> {
  type: 'Feature';
  id?: string;
  geometry: G;
  properties: P;
}

/** An RFC 7946 FeatureCollection; `extra` are foreign members (paging, method) beside `features`. */
export function featureCollection<F extends Feature, E extends Record<string, unknown> = Record<never, never>>(features: F[], extra?: E) {
  return { type: 'FeatureCollection' as const, ...(extra ?? ({} as E)), features };
}
