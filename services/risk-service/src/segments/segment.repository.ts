import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TxScope, managerOf } from '@roadloop/persistence';
import type { LineString } from 'geojson';

export interface SegmentRecord {
  id: string;
  osmWayId: number;
  index: number;
  roadClass: string;
  name: string | null;
  lengthM: number;
  geometry: LineString;
  attributes: Record<string, unknown>;
  exposureScore: number;
  exposureLevel: string;
  exposureFactors: unknown;
}

export interface SegmentMatch {
  segmentId: string;
  distanceM: number;
}

/** Owns `road_segment`. */
@Injectable()
export class SegmentRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Inserts or updates segments by id (ids are stable across imports). Returns how many rows were
   * new. Runs in batches so a whole region fits in a few round trips.
   */
  async upsert(segments: readonly SegmentRecord[], scope?: TxScope): Promise<{ inserted: number; updated: number }> {
    const manager = managerOf(this.dataSource, scope);
    let inserted = 0;
    const batchSize = 500;
    for (let start = 0; start < segments.length; start += batchSize) {
      const batch = segments.slice(start, start + batchSize);
      const rows: { inserted: boolean }[] = await manager.query(
        `INSERT INTO road_segment AS s (id, osm_way_id, piece_index, road_class, name, length_m, geom, attributes,
                                         exposure_score, exposure_level, exposure_factors, imported_at)
         SELECT x.id, x.osm_way_id, x.piece_index, x.road_class, x.name, x.length_m,
                ST_SetSRID(ST_GeomFromGeoJSON(x.geometry), 4326), x.attributes, x.exposure_score, x.exposure_level,
                x.exposure_factors, now()
           FROM jsonb_to_recordset($1::jsonb) AS x(id text, osm_way_id bigint, piece_index int, road_class text,
                name text, length_m float8, geometry jsonb, attributes jsonb, exposure_score float8,
                exposure_level text, exposure_factors jsonb)
         ON CONFLICT (id) DO UPDATE SET
                osm_way_id = EXCLUDED.osm_way_id, piece_index = EXCLUDED.piece_index, road_class = EXCLUDED.road_class,
                name = EXCLUDED.name, length_m = EXCLUDED.length_m, geom = EXCLUDED.geom,
                attributes = EXCLUDED.attributes, exposure_score = EXCLUDED.exposure_score,
                exposure_level = EXCLUDED.exposure_level, exposure_factors = EXCLUDED.exposure_factors,
                imported_at = now()
         RETURNING (xmax = 0) AS inserted`,
        [
          JSON.stringify(
            batch.map((s) => ({
              id: s.id,
              osm_way_id: s.osmWayId,
              piece_index: s.index,
              road_class: s.roadClass,
              name: s.name,
              length_m: s.lengthM,
              geometry: s.geometry,
              attributes: s.attributes,
              exposure_score: s.exposureScore,
              exposure_level: s.exposureLevel,
              exposure_factors: s.exposureFactors,
            })),
          ),
        ],
      );
      inserted += rows.filter((r) => r.inserted).length;
    }
    return { inserted, updated: segments.length - inserted };
  }

  /** The nearest segment within `toleranceM` metres (on the WGS84 spheroid), ties by id. */
  async nearest(lon: number, lat: number, toleranceM: number, scope?: TxScope): Promise<SegmentMatch | null> {
    const rows: { id: string; distance_m: number }[] = await managerOf(this.dataSource, scope).query(
      `WITH p AS (SELECT ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography AS g)
       SELECT s.id, ST_Distance(s.geom::geography, p.g) AS distance_m
         FROM road_segment s, p
        WHERE ST_DWithin(s.geom::geography, p.g, $3)
        ORDER BY distance_m, s.id
        LIMIT 1`,
      [lon, lat, toleranceM],
    );
    return rows.length ? { segmentId: rows[0].id, distanceM: Number(rows[0].distance_m) } : null;
  }

  async exposureOf(segmentId: string, scope?: TxScope): Promise<{ exposureScore: number; lengthM: number; roadClass: string; name: string | null } | null> {
    const rows: { exposure_score: number; length_m: number; road_class: string; name: string | null }[] = await managerOf(
      this.dataSource,
      scope,
    ).query(`SELECT exposure_score, length_m, road_class, name FROM road_segment WHERE id = $1`, [segmentId]);
    if (!rows.length) return null;
    const r = rows[0];
    return { exposureScore: Number(r.exposure_score), lengthM: Number(r.length_m), roadClass: r.road_class, name: r.name };
  }

  async count(scope?: TxScope): Promise<number> {
    const rows: { n: string }[] = await managerOf(this.dataSource, scope).query(`SELECT count(*) AS n FROM road_segment`);
    return Number(rows[0].n);
  }
}
