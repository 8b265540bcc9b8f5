import { WATER_SIDE_MAX_M } from '@roadloop/geo';

/**
 * What "water-side" and "cliff-side" mean in every query, ranking facet and export: the engine's
 * own classification. The engine records the side of the nearest water up to its search radius
 * (500 m), but a segment is water-side only when that water is within `WATER_SIDE_MAX_M` (30 m) and
 * the road is not in a tunnel; a bridge over water ('crossing') is water-side on both sides.
 * Cliff-side is already classified by the engine (a mapped cliff or a drop of at least
 * `drop.cliffDropM`, never in a tunnel).
 */

/** SQL (on `road_segment s`): true when the segment is water-side. */
export const WATER_SIDE_SQL = `(NOT COALESCE((s.attributes->>'tunnel')::boolean, false)
  AND COALESCE((s.attributes->>'waterDistanceM')::float8 <= ${WATER_SIDE_MAX_M}, false))`;
/** SQL: true when the segment is cliff-side. */
export const CLIFF_SIDE_SQL = `COALESCE(s.attributes->>'cliffSide' IN ('left', 'right', 'both'), false)`;

/** SQL: the water side ('left', 'right', 'both') of a water-side segment, else null. */
export const WATER_SIDE_VALUE_SQL = `CASE WHEN ${WATER_SIDE_SQL}
  THEN CASE s.attributes->>'waterSide' WHEN 'crossing' THEN 'both' ELSE s.attributes->>'waterSide' END END`;
/** SQL: the cliff side of a cliff-side segment, else null. */
export const CLIFF_SIDE_VALUE_SQL = `s.attributes->>'cliffSide'`;

export const besideSql = (side: 'water' | 'cliff') => (side === 'water' ? WATER_SIDE_SQL : CLIFF_SIDE_SQL);

/** A side column read back from SQL, as the API shows it: 'left', 'right', 'both' or null. */
export function shownSide(v: unknown): 'left' | 'right' | 'both' | null {
  return v === 'left' || v === 'right' || v === 'both' ? v : null;
}

/**
 * SQL: the sides of segment `idSql` whose guardrail is known (text[]): recorded present, absent or
 * damaged, or protected by a verified guardrail (a guardrail task without a side protects both).
 */
export const knownRoadsideSidesSql = (idSql: string) => `ARRAY(
  SELECT x.side FROM segment_roadside x WHERE x.segment_id = ${idSql} AND x.status <> 'unknown'
  UNION
  SELECT g.side FROM task_state t
   CROSS JOIN LATERAL unnest(CASE t.side WHEN 'left' THEN ARRAY['left'] WHEN 'right' THEN ARRAY['right'] ELSE ARRAY['left', 'right'] END) AS g(side)
   WHERE t.segment_id = ${idSql} AND t.status = 'verified' AND t.countermeasure = 'guardrail'
  ORDER BY 1)`;
