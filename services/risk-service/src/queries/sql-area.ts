import type { Bbox } from '@roadloop/http';
import type { PolygonGeometry } from './query-schemas';

/** Where to look: a box, a polygon, or everywhere. */
export type SearchArea = { bbox: Bbox } | { polygon: PolygonGeometry; mode?: 'intersects' | 'within' } | Record<string, never>;

/** Collects positional parameters for one raw query: `p(value)` returns its `$n`. */
export function sqlParams(): { values: unknown[]; p: (value: unknown) => string } {
  const values: unknown[] = [];
  return {
    values,
    p: (value) => {
      values.push(value);
      return `$${values.length}`;
    },
  };
}

/**
 * Conditions placing `column` (a geometry in EPSG:4326) in the area: the bounding-box operator first
 * (served by the GiST index), then the exact test.
 */
export function areaConditions(column: string, area: SearchArea, p: (value: unknown) => string): string[] {
  if ('bbox' in area) {
    const env = `ST_MakeEnvelope(${area.bbox.map((n) => `${p(n)}::float8`).join(', ')}, 4326)`;
    return [`${column} && ${env}`, `ST_Intersects(${column}, ${env})`];
  }
  if ('polygon' in area) {
    const poly = `ST_SetSRID(ST_GeomFromGeoJSON(${p(JSON.stringify(area.polygon))}), 4326)`;
    return [`${column} && ${poly}`, area.mode === 'within' ? `ST_Within(${column}, ${poly})` : `ST_Intersects(${column}, ${poly})`];
  }
  return [];
}

/** Newest first, then by id: the condition for the rows after a cursor, and the matching order. */
export function keysetConditions(timeColumn: string, cursor: { at: string; id: string } | undefined, p: (value: unknown) => string): string[] {
  return cursor ? [`(${timeColumn}, id) < (${p(cursor.at)}::timestamptz, ${p(cursor.id)}::uuid)`] : [];
}
