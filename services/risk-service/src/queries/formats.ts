import type { Response } from 'express';
import { CSV_CONTENT_TYPE, toCsv } from '@roadloop/http';

/**
 * The one place that shapes query results as CSV, so every export of the service has the same form:
 * RFC 4180 CSV with a header row. GeoJSON is `featureCollection` of @roadloop/http, with the feature
 * id repeated in the properties.
 */
export type ResultFormat = 'json' | 'geojson' | 'csv';

/** CSV of some of each record's fields, by name, in the order given. */
export function csvOf<T extends object, K extends keyof T & string>(columns: readonly K[], rows: readonly T[]): string {
  return toCsv(columns, rows.map((r) => columns.map((c) => r[c])));
}

/** Sets the content type a format needs (JSON and GeoJSON keep Nest's JSON default). */
export function useFormat(res: Response, format: ResultFormat): void {
  if (format === 'csv') res.setHeader('content-type', CSV_CONTENT_TYPE);
}
