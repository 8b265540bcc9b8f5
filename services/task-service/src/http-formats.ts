/** Response bodies other than JSON: CSV for spreadsheets, GeoJSON for maps. */

export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';
export const GEOJSON_CONTENT_TYPE = 'application/geo+json';

/**
 * RFC 4180 CSV: a header row, then one row per record. Text a spreadsheet would run as a formula
 * (leading = + - @ tab or CR, OWASP "CSV injection") gets a leading apostrophe.
 */
export function toCsv(columns: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return [columns, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  let text = Array.isArray(value) ? value.join(';') : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

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
