import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Geometry } from 'geojson';
import { PolygonGeometry, SegmentFilters } from './query-schemas';
import { WayPiece } from './hotspot-windows';
import { RISK_MODEL, predictSegment, roadAttributesFrom } from '@roadloop/geo';
import { sidesAtStake } from '../risk/exposure-adjuster';
import { CLIFF_SIDE_VALUE_SQL, WATER_SIDE_VALUE_SQL, besideSql, knownRoadsideSidesSql, shownSide } from '../risk/roadside';
import { LiveRisk, SegmentAttributes, StaticSegment, unknownRoadside } from './segment-features';
import { areaConditions, sqlParams } from './sql-area';

/** A segment with its live score, level and alarm (null when never scored), and its geometry as GeoJSON or WKT. */
export interface SegmentRow extends SegmentAttributes {
  score: number | null;
  level: string | null;
  alarm: string | null;
  /** The sides whose guardrail is unknown where one would change the design rating. */
  roadsideUnknown: string[];
  geometry: Geometry | null;
  wkt: string | null;
}

/** The `road_segment s` attributes that say which sides are at stake (see `sidesAtStake`). */
const STAKE_COLUMNS = `jsonb_build_object('roadside', s.attributes->'roadside', 'guardrail', s.attributes->'guardrail',
              'curvatureClass', s.attributes->'curvatureClass', 'gradeClass', s.attributes->'gradeClass', 'speedKmh', s.attributes->'speedKmh') AS stake`;
const stakeOf = (r: Record<string, unknown>): string[] => sidesAtStake((r.stake as Record<string, unknown> | null) ?? {});

/** The `road_segment s` columns behind {@link SegmentAttributes}, as {@link segmentAttributes} reads them. */
const SEGMENT_ATTRIBUTE_COLUMNS = `s.id, s.osm_way_id, s.road_class, s.name, s.length_m, s.exposure_score, s.exposure_level,
              ${WATER_SIDE_VALUE_SQL} AS water_side, ${CLIFF_SIDE_VALUE_SQL} AS cliff_side`;

/** A row selected with {@link SEGMENT_ATTRIBUTE_COLUMNS} as a segment's static properties. */
function segmentAttributes(r: Record<string, unknown>): SegmentAttributes {
  return {
    id: String(r.id),
    osmWayId: Number(r.osm_way_id),
    roadClass: String(r.road_class),
    name: (r.name as string | null) ?? null,
    lengthM: Number(r.length_m),
    exposureScore: Number(r.exposure_score),
    exposureLevel: String(r.exposure_level),
    waterSide: shownSide(r.water_side),
    cliffSide: shownSide(r.cliff_side),
  };
}

/** Read-only spatial queries over `road_segment`, `segment_risk` and `accident`. */
@Injectable()
export class SpatialQueryRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Validity of a polygon as PostGIS sees it (self-intersections, …) and its area in square degrees. */
  async checkPolygon(geometry: PolygonGeometry): Promise<{ valid: boolean; reason: string; area: number }> {
    const [row]: { valid: boolean; reason: string; area: number }[] = await this.dataSource.query(
      `SELECT ST_IsValid(g) AS valid, ST_IsValidReason(g) AS reason, ST_Area(g) AS area
         FROM (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4326) AS g) x`,
      [JSON.stringify(geometry)],
    );
    return { valid: row.valid, reason: row.reason, area: Number(row.area) };
  }

  /**
   * Segments in a box or a polygon, filtered, in id order. The spatial test is `geom && envelope`
   * (the GiST index) refined by ST_Intersects / ST_Within. `simplify` is a tolerance in metres,
   * applied in the segment's UTM zone so that it means the same at every latitude.
   */
  async segments(filters: SegmentFilters, area: { bbox: [number, number, number, number] } | { polygon: PolygonGeometry }, wkt: boolean): Promise<SegmentRow[]> {
    const { values: params, p } = sqlParams();
    const where = areaConditions('s.geom', 'bbox' in area ? area : { polygon: area.polygon, mode: filters.mode }, p);
    if (filters.level) where.push(`COALESCE(r.level, s.exposure_level) = ${p(filters.level)}`);
    if (filters.roadClass) where.push(`s.road_class = ${p(filters.roadClass)}`);
    if (filters.waterSide !== undefined) where.push(`${filters.waterSide ? '' : 'NOT '}${besideSql('water')}`);
    if (filters.cliffSide !== undefined) where.push(`${filters.cliffSide ? '' : 'NOT '}${besideSql('cliff')}`);
    const tolerance = filters.simplify ?? 0;
    const geom =
      tolerance > 0
        ? `ST_Transform(ST_SimplifyPreserveTopology(ST_Transform(s.geom, utm.srid), ${p(tolerance)}::float8), 4326)`
        : 's.geom';
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT ${SEGMENT_ATTRIBUTE_COLUMNS}, r.score, r.level, r.alarm, ${STAKE_COLUMNS}, ${knownRoadsideSidesSql('s.id')} AS known_sides,
              ${wkt ? `ST_AsText(${geom}) AS wkt` : `ST_AsGeoJSON(${geom}, 7) AS g`}
         FROM road_segment s
         LEFT JOIN segment_risk r ON r.segment_id = s.id
         CROSS JOIN LATERAL (
           SELECT (CASE WHEN ST_Y(c) >= 0 THEN 32600 ELSE 32700 END) + LEAST(60, floor((ST_X(c) + 180) / 6)::int + 1) AS srid
             FROM (SELECT ST_PointOnSurface(s.geom) AS c) pt
         ) utm
        WHERE ${where.join(' AND ')}
        ORDER BY s.id
        LIMIT ${p(filters.limit)} OFFSET ${p(filters.offset)}`,
      params,
    );
    return rows.map((r) => {
      // The live fields stand between the static ones and the sides, as the answers have always listed them.
      const { waterSide, cliffSide, ...head } = segmentAttributes(r);
      return {
        ...head,
        score: r.score === null || r.score === undefined ? null : Number(r.score),
        level: (r.level as string | null) ?? null,
        alarm: (r.alarm as string | null) ?? null,
        waterSide,
        cliffSide,
        roadsideUnknown: unknownRoadside(stakeOf(r), r.known_sides as string[]),
        geometry: r.g ? (JSON.parse(String(r.g)) as Geometry) : null,
        wkt: (r.wkt as string | null) ?? null,
      };
    });
  }

  /**
   * Every segment of the ways with at least one matched crash since `since`, in way and piece order,
   * with that period's crash count and EPDO. Windows on a way without crashes have a negative excess,
   * so they can never be hotspots and are not scanned.
   */
  async waysWithCrashes(since: Date): Promise<Map<number, WayPiece[]>> {
    const w = RISK_MODEL.epdo.weights;
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `WITH crashes AS (
         SELECT a.segment_id, count(*) AS n,
                sum(CASE WHEN a.deaths > 0 THEN $2::float8 WHEN a.serious_injuries > 0 THEN $3::float8
                         WHEN a.slight_injuries > 0 THEN $4::float8 ELSE $5::float8 END) AS epdo
           FROM accident a
          WHERE a.segment_id IS NOT NULL AND a.occurred_at >= $1
          GROUP BY a.segment_id)
       SELECT s.id, s.osm_way_id, s.length_m, s.road_class, s.attributes, COALESCE(c.n, 0) AS n, COALESCE(c.epdo, 0) AS epdo
         FROM road_segment s
         LEFT JOIN crashes c ON c.segment_id = s.id
        WHERE s.osm_way_id IN (SELECT rs.osm_way_id FROM road_segment rs JOIN crashes c2 ON c2.segment_id = rs.id)
        ORDER BY s.osm_way_id, s.piece_index, s.id`,
      [since, w.fatal, w.serious, w.slight, w.pdo],
    );
    const ways = new Map<number, WayPiece[]>();
    for (const r of rows) {
      const way = Number(r.osm_way_id);
      const list = ways.get(way) ?? [];
      list.push({
        segmentId: String(r.id),
        lengthM: Number(r.length_m),
        predictedPerKmYear: predictSegment(roadAttributesFrom(String(r.road_class), Number(r.length_m), (r.attributes as Record<string, unknown>) ?? {})).predictedPerKmYear,
        crashes: Number(r.n),
        crashEpdo: Number(r.epdo),
      });
      ways.set(way, list);
    }
    return ways;
  }

  /** One merged line per window (ST_LineMerge of the window's segments), as GeoJSON or WKT, in input order. */
  async windowLines(windows: readonly string[][], wkt: boolean): Promise<(Geometry | string | null)[]> {
    if (!windows.length) return [];
    const rows: { ord: string; g: string | null }[] = await this.dataSource.query(
      `SELECT w.ord, ${wkt ? 'ST_AsText' : 'ST_AsGeoJSON'}(ST_LineMerge(ST_Collect(s.geom ORDER BY s.piece_index))${wkt ? '' : ', 7'}) AS g
         FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS w(ids, ord)
         JOIN road_segment s ON s.id IN (SELECT jsonb_array_elements_text(w.ids))
        GROUP BY w.ord`,
      [JSON.stringify(windows)],
    );
    const byOrd = new Map(rows.map((r) => [Number(r.ord), r.g]));
    return windows.map((_, i) => {
      const g = byOrd.get(i + 1) ?? null;
      return g === null ? null : wkt ? g : (JSON.parse(g) as Geometry);
    });
  }

  /** Every segment's static map properties and geometry (GeoJSON text), for the in-memory feature index. */
  async staticSegments(): Promise<StaticSegment[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT ${SEGMENT_ATTRIBUTE_COLUMNS}, ${STAKE_COLUMNS}, ST_AsGeoJSON(s.geom, 7) AS g
         FROM road_segment s`,
    );
    return rows.map((r) => ({ ...segmentAttributes(r), geometryJson: String(r.g), sidesAtStake: stakeOf(r) }));
  }

  /**
   * The live score, level and alarm of these segments (null: never scored) and the sides whose
   * guardrail is known, which a segment may have before its first score. Past a quarter of the
   * network, one sequential read of every segment is cheaper than an index probe per id.
   */
  async liveRisk(ids: readonly string[], networkSize: number): Promise<Map<string, LiveRisk>> {
    if (ids.length === 0) return new Map();
    const everything = ids.length * 4 > networkSize;
    const rows: { segment_id: string; score: number | null; level: string | null; alarm: string | null; known_sides: string[] }[] = await this.dataSource.query(
      `SELECT s.id AS segment_id, r.score, r.level, r.alarm, ${knownRoadsideSidesSql('s.id')} AS known_sides
         FROM ${everything ? 'road_segment s' : 'unnest($1::text[]) AS s(id)'}
         LEFT JOIN segment_risk r ON r.segment_id = s.id`,
      everything ? [] : [ids],
    );
    return new Map(
      rows.map((r) => [r.segment_id, { score: r.score === null ? null : Number(r.score), level: r.level, alarm: r.alarm, knownSides: r.known_sides }]),
    );
  }
}
