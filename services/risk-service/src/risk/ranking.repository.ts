import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Geometry } from 'geojson';
import { RiskLevel } from '@roadloop/contracts';
import { sqlParams } from '../queries/sql-area';
import { RiskFactor, scoreBands } from './risk-model';
import { CLIFF_SIDE_VALUE_SQL, WATER_SIDE_VALUE_SQL, besideSql, shownSide } from './roadside';

export type Roadside = 'water' | 'cliff';

export interface RankingFilters {
  jurisdiction?: string;
  roadClass?: readonly string[];
  /** Beside water or beside a cliff (either, when both are given). */
  side?: readonly Roadside[];
  level?: readonly RiskLevel[];
}

export interface RankedSegment {
  segmentId: string;
  score: number;
}

export interface RankedSegmentDetail {
  segmentId: string;
  level: RiskLevel | null;
  alarm: string | null;
  roadClass: string;
  name: string | null;
  jurisdictionId: string | null;
  jurisdictionName: string | null;
  waterSide: string | null;
  cliffSide: string | null;
  lengthM: number;
  factors: RiskFactor[];
  geometry: Geometry | null;
  wkt: string | null;
}

/**
 * A ranked segment as Redis keeps it: its score, and the description a ranking row shows (which also
 * decides the facets it belongs to: road class, roadside, jurisdiction).
 */
export type RankedRow = RankedSegment & Omit<RankedSegmentDetail, 'geometry' | 'wkt'>;


/**
 * Ties are broken by segment id, descending and byte-wise, which is how a Redis sorted set orders
 * equal scores in reverse: the database and Redis give the same order.
 */
const RANK_ORDER = `r.score DESC, r.segment_id COLLATE "C" DESC`;

/** The ranked rows and their facets; the bounds are conditions added to the joins of `road_segment s` and `segment_jurisdiction j`. */
const facetFrom = (segmentBound = 'true', jurisdictionBound = 'true') =>
  `segment_risk r JOIN road_segment s ON s.id = r.segment_id AND ${segmentBound}
   LEFT JOIN segment_jurisdiction j ON j.segment_id = r.segment_id AND ${jurisdictionBound}`;

/** The PostgreSQL side of the ranking: rows to (re)build Redis from, and the ranking itself when Redis is down. */
@Injectable()
export class RankingRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Up to `limit` ranked segments (those with a live score), described, in id order after `afterId`.
   * Every table is bounded by `afterId`, not only `segment_risk`: the planner merges the three in id
   * order and does not carry the bound across the join, so each page scanned `road_segment` from its
   * first id (1.6 s for a page 2.2 M rows in, 3.5 s deeper, against 22–35 ms bounded), and a rebuild grew with the square
   * of the region's size.
   */
  page(afterId: string, limit: number): Promise<RankedRow[]> {
    return this.ranked('WHERE r.segment_id > $1 ORDER BY r.segment_id LIMIT $2', [afterId, limit], `s.id > $1`, `j.segment_id > $1`);
  }

  /** One segment as ranked, or null when it has no live score yet. */
  async one(segmentId: string): Promise<RankedRow | null> {
    return (await this.ranked('WHERE r.segment_id = $1', [segmentId]))[0] ?? null;
  }

  /** The ranked rows of these segments (those with a risk row). */
  async several(segmentIds: readonly string[]): Promise<RankedRow[]> {
    return segmentIds.length ? this.ranked('WHERE r.segment_id = ANY($1::text[])', [segmentIds]) : [];
  }

  private async ranked(where: string, params: unknown[], segmentBound?: string, jurisdictionBound?: string): Promise<RankedRow[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT r.score, ${DESCRIPTION_COLUMNS}, NULL AS g FROM ${facetFrom(segmentBound, jurisdictionBound)} ${where}`,
      params,
    );
    return rows.map((r) => {
      const { geometry: _g, wkt: _w, ...described } = toDetail(r);
      return { ...described, score: Number(r.score) };
    });
  }

  /** The database's clock (the times written in `updated_at`). */
  async clock(): Promise<Date> {
    const [row]: { now: Date }[] = await this.dataSource.query(`SELECT now() AS now`);
    return new Date(row.now);
  }

  /** Segments whose score or jurisdiction was written at or after `since` (database time). */
  async changedSince(since: Date): Promise<string[]> {
    const rows: { segment_id: string }[] = await this.dataSource.query(
      `SELECT segment_id FROM segment_risk WHERE updated_at >= $1
       UNION SELECT segment_id FROM segment_jurisdiction WHERE updated_at >= $1`,
      [since],
    );
    return rows.map((r) => r.segment_id);
  }

  /** The filtered ranking straight from PostgreSQL, in the same order Redis gives. */
  async top(filters: RankingFilters, limit: number): Promise<RankedSegment[]> {
    const { values: params, p } = sqlParams();
    const where = ['true'];
    if (filters.jurisdiction !== undefined) where.push(`j.jurisdiction_id = ${p(filters.jurisdiction)}`);
    if (filters.roadClass?.length) where.push(`s.road_class = ANY(${p(filters.roadClass)}::text[])`);
    if (filters.side?.length) where.push(`(${filters.side.map(besideSql).join(' OR ')})`);
    if (filters.level?.length) {
      const bands = scoreBands(filters.level).map(({ min, max }) => {
        const parts = [];
        if (Number.isFinite(min)) parts.push(`r.score >= ${p(min)}::float8`);
        if (Number.isFinite(max)) parts.push(`r.score < ${p(max)}::float8`);
        return parts.length ? `(${parts.join(' AND ')})` : 'true';
      });
      where.push(`(${bands.join(' OR ')})`);
    }
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT r.segment_id, r.score FROM ${facetFrom()} WHERE ${where.join(' AND ')} ORDER BY ${RANK_ORDER} LIMIT ${p(limit)}`,
      params,
    );
    return rows.map((r) => ({ segmentId: String(r.segment_id), score: Number(r.score) }));
  }

  /** Road, jurisdiction and risk of ranked segments, with their geometry as GeoJSON or WKT if asked. */
  async describe(ids: readonly string[], geometry: 'geojson' | 'wkt' | 'none'): Promise<Map<string, RankedSegmentDetail>> {
    if (!ids.length) return new Map();
    const geom = geometry === 'geojson' ? `ST_AsGeoJSON(s.geom, 7) AS g` : geometry === 'wkt' ? `ST_AsText(s.geom) AS wkt` : `NULL AS g`;
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT ${DESCRIPTION_COLUMNS}, ${geom}
         FROM road_segment s
         LEFT JOIN segment_risk r ON r.segment_id = s.id
         LEFT JOIN segment_jurisdiction j ON j.segment_id = s.id
        WHERE s.id = ANY($1::text[])`,
      [ids],
    );
    return new Map(rows.map((r) => [String(r.id), toDetail(r)]));
  }
}

const DESCRIPTION_COLUMNS = `s.id, s.road_class, s.name, s.length_m, r.level, r.alarm, r.factors, j.jurisdiction_id, j.jurisdiction_name,
  ${WATER_SIDE_VALUE_SQL} AS water_side, ${CLIFF_SIDE_VALUE_SQL} AS cliff_side`;

function toDetail(r: Record<string, unknown>): RankedSegmentDetail {
  return {
    segmentId: String(r.id),
    level: (r.level as RiskLevel | null) ?? null,
    alarm: (r.alarm as string | null) ?? null,
    roadClass: String(r.road_class),
    name: (r.name as string | null) ?? null,
    jurisdictionId: (r.jurisdiction_id as string | null) ?? null,
    jurisdictionName: (r.jurisdiction_name as string | null) ?? null,
    waterSide: shownSide(r.water_side),
    cliffSide: shownSide(r.cliff_side),
    lengthM: Number(r.length_m),
    factors: (r.factors as RiskFactor[] | null) ?? [],
    geometry: r.g ? (JSON.parse(String(r.g)) as Geometry) : null,
    wkt: (r.wkt as string | null) ?? null,
  };
}
