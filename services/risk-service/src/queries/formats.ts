import type { Response } from 'express';
import type { Geometry, Point } from 'geojson';
import { CSV_CONTENT_TYPE, toCsv } from '@roadloop/http';

/**
 * The one place that shapes query results as GeoJSON or CSV, so every export of the service has the
 * same form: FeatureCollections with the feature id repeated in the properties, extra top-level
 * members (paging, parameters) beside `features`, and RFC 4180 CSV with a header row.
 */
export type ResultFormat = 'json' | 'geojson' | 'csv';

export interface FeatureOf<P> {
  type: 'Feature';
  id: string | number;
  geometry: Geometry | null;
  properties: P;
}

export function featureCollection<T, P>(
  rows: readonly T[],
  toFeature: (row: T, index: number) => { id: string | number; geometry: Geometry | null; properties: P },
  members: Record<string, unknown> = {},
) {
  return {
    type: 'FeatureCollection' as const,
    ...members,
    features: rows.map((row, i): FeatureOf<P> => ({ type: 'Feature', ...toFeature(row, i) })),
  };
}

export function point(lon: number, lat: number): Point {
  return { type: 'Point', coordinates: [lon, lat] };
}

/** CSV of some of each record's fields, by name, in the order given. */
export function csvOf<T extends object, K extends keyof T & string>(columns: readonly K[], rows: readonly T[]): string {
  return toCsv(columns, rows.map((r) => columns.map((c) => r[c])));
}

/** Sets the content type a format needs (JSON and GeoJSON keep Nest's JSON default). */
export function useFormat(res: Response, format: ResultFormat): void {
  if (format === 'csv') res.setHeader('content-type', CSV_CONTENT_TYPE);
}
