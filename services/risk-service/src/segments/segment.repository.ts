import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TxScope, managerOf } from '@roadloop/persistence';
import { groupBySegment } from './by-segment';
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

export interface SegmentExposure {
  exposureScore: number;
  exposureLevel: string;
  exposureFactors: unknown;
  lengthM: number;
  roadClass: string;
  name: string | null;
  /** Engine properties beyond the core ones (water, drops, guardrail, roadside severities …). */
  attributes: Record<string, unknown>;
}

/** A segment's id and line as little-endian WKB (`ST_AsBinary(geom, 'NDR')`), for the matcher. */
export interface SegmentGeometryRow {
  id: string;
  wkb: Buffer;
}

/** What `readGeometries` hands its rows to. */
export interface SegmentGeometryReader {
  totals(network: { segments: number; vertices: number }): void;
  batch(rows: readonly SegmentGeometryRow[]): void;
}

/** A segment of a reach, as the risk model reads it. */
export interface ReachNeighbour {
  id: string;
  lengthM: number;
  roadClass: string;
  attributes: Record<string, unknown>;
}

/** A segment and the pieces before and after it on its way, as the risk model reads them. */
export interface Reach {
  segment: SegmentExposure;
  neighbours: ReachNeighbour[];
}

/** A segment an import wrote, with its neighbours on the same way that the import wrote too. */
export interface WrittenReach extends ReachNeighbour {
  exposureScore: number;
  neighbours: ReachNeighbour[];
}

/** What a segment's profile announcement carries. */
export type SegmentProfileRow = Omit<SegmentRecord, 'osmWayId' | 'index' | 'exposureFactors'>;

/** Owns `road_segment`. */
@Injectable()
export class SegmentRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Inserts or updates segments by id (ids are stable across imports). Returns how many rows were
   * new, and the ids this transaction had already written (an import's repeated ids: every row it
   * writes carries the transaction's `now()`), which are left as first written. The ids of one call
   * must be distinct. Runs in batches so a whole region fits in a few round trips.
   */
  async upsert(segments: readonly SegmentRecord[], scope?: TxScope): Promise<{ inserted: number; updated: number; repeated: string[] }> {
    const manager = managerOf(this.dataSource, scope);
    let inserted = 0;
    let updated = 0;
    const repeated: string[] = [];
    const batchSize = 500;
    for (let start = 0; start < segments.length; start += batchSize) {
      const batch = segments.slice(start, start + batchSize);
      const rows: { id: string; inserted: boolean }[] = await manager.query(
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
                imported_at = now(), profile_published = false,
                rescore_pending = s.rescore_pending OR s.exposure_score IS DISTINCT FROM EXCLUDED.exposure_score
                                  OR s.attributes IS DISTINCT FROM EXCLUDED.attributes
          WHERE s.imported_at IS DISTINCT FROM now()
         RETURNING s.id, (xmax = 0) AS inserted`,
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
      const written = new Set(rows.map((r) => r.id));
      inserted += rows.filter((r) => r.inserted).length;
      updated += rows.filter((r) => !r.inserted).length;
      repeated.push(...batch.filter((s) => !written.has(s.id)).map((s) => s.id));
    }
    return { inserted, updated, repeated };
  }

  /**
   * The segments this transaction wrote (`upsert`) among the next `limit` rows in id order after
   * `afterId`, each with its neighbours on the same way (the pieces before and after it) that it
   * wrote too: what an import seeds their risk from, read a page at a time so an import of millions
   * of segments never holds them all. `lastId` is where the next page starts (null: no rows left).
   * The page walks the primary key and each neighbour is an index lookup (`OFFSET 0` keeps the
   * planner from turning the lookups into a join over the whole table): a filter on `imported_at`
   * (no index) would make every page a scan of the table.
   */
  async writtenReaches(afterId: string, limit: number, scope: TxScope): Promise<{ reaches: WrittenReach[]; lastId: string | null }> {
    const rows: Record<string, unknown>[] = await managerOf(this.dataSource, scope).query(
      `SELECT s.id, s.written, s.length_m, s.road_class, s.attributes, s.exposure_score,
              n.id AS n_id, n.length_m AS n_length_m, n.road_class AS n_road_class, n.attributes AS n_attributes
         FROM (SELECT id, imported_at = now() AS written, osm_way_id, piece_index, length_m, road_class, attributes, exposure_score
                 FROM road_segment WHERE id > $1 ORDER BY id LIMIT $2) s
         LEFT JOIN LATERAL (
                SELECT id, piece_index, length_m, road_class, attributes FROM road_segment n
                 WHERE s.written AND n.osm_way_id = s.osm_way_id
                   AND n.piece_index = ANY (ARRAY[s.piece_index - 1, s.piece_index + 1]) AND n.imported_at = now()
                OFFSET 0) n ON true
        ORDER BY s.id, n.piece_index, n.id`,
      [afterId, limit],
    );
    const reaches: WrittenReach[] = [];
    for (const r of rows) {
      if (!r.written) continue;
      if (reaches.at(-1)?.id !== r.id) reaches.push({ ...reachNeighbourOf(r, ''), exposureScore: Number(r.exposure_score), neighbours: [] });
      if (r.n_id !== null) reaches[reaches.length - 1].neighbours.push(reachNeighbourOf(r, 'n_'));
    }
    return { reaches, lastId: rows.length ? String(rows[rows.length - 1].id) : null };
  }

  /**
   * Refreshes the planner's statistics of `road_segment`, counting the rows this transaction wrote:
   * after a bulk import its pages are then planned on the table's real size and spread.
   */
  async analyze(scope: TxScope): Promise<void> {
    await managerOf(this.dataSource, scope).query(`ANALYZE road_segment`);
  }

  async exposureOf(segmentId: string, scope?: TxScope): Promise<SegmentExposure | null> {
    const rows: Record<string, unknown>[] = await managerOf(this.dataSource, scope).query(
      `SELECT exposure_score, exposure_level, exposure_factors, length_m, road_class, name, attributes
         FROM road_segment WHERE id = $1`,
      [segmentId],
    );
    if (!rows.length) return null;
    const r = rows[0];
    return {
      exposureScore: Number(r.exposure_score),
      exposureLevel: String(r.exposure_level),
      exposureFactors: r.exposure_factors,
      lengthM: Number(r.length_m),
      roadClass: String(r.road_class),
      name: (r.name as string | null) ?? null,
      attributes: (r.attributes as Record<string, unknown>) ?? {},
    };
  }

  /**
   * Segments and their reaches, in one query: each with its neighbours on the same way (the pieces
   * before and after it), whose crashes the risk model pools with its own. Unknown segments are absent.
   */
  async reachesOf(segmentIds: readonly string[], scope?: TxScope): Promise<Map<string, Reach>> {
    const rows: Record<string, unknown>[] = await managerOf(this.dataSource, scope).query(
      // Each segment's pieces through the way index (fenced by OFFSET 0): joined as a whole, the
      // planner hashed a parallel scan of every segment, several times slower for a run's few hundred.
      `SELECT s.id AS segment_id, n.id, n.exposure_score, n.exposure_level, n.exposure_factors, n.length_m, n.road_class, n.name, n.attributes
         FROM road_segment s
        CROSS JOIN LATERAL (
          SELECT n.id, n.piece_index, n.exposure_score, n.exposure_level, n.exposure_factors, n.length_m, n.road_class, n.name, n.attributes
            FROM road_segment n
           WHERE n.osm_way_id = s.osm_way_id AND n.piece_index BETWEEN s.piece_index - 1 AND s.piece_index + 1
          OFFSET 0
        ) n
        WHERE s.id = ANY($1::text[])
        ORDER BY s.id, n.piece_index, n.id`,
      [segmentIds],
    );
    const reaches = new Map<string, Reach>();
    for (const [segmentId, pieces] of groupBySegment(rows, (r) => r)) {
      const self = pieces.find((r) => r.id === segmentId);
      if (!self) continue;
      reaches.set(segmentId, {
        segment: {
          exposureScore: Number(self.exposure_score),
          exposureLevel: String(self.exposure_level),
          exposureFactors: self.exposure_factors,
          lengthM: Number(self.length_m),
          roadClass: String(self.road_class),
          name: (self.name as string | null) ?? null,
          attributes: (self.attributes as Record<string, unknown>) ?? {},
        },
        neighbours: pieces
          .filter((r) => r.id !== segmentId)
          .map((r) => ({ id: String(r.id), lengthM: Number(r.length_m), roadClass: String(r.road_class), attributes: (r.attributes as Record<string, unknown>) ?? {} })),
      });
    }
    return reaches;
  }

  /** Every segment with what the risk model reads of it, for a region's predictions. */
  async allRoads(): Promise<(ReachNeighbour & { osmWayId: number; index: number; name: string | null })[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT id, osm_way_id, piece_index, length_m, road_class, name, attributes FROM road_segment ORDER BY osm_way_id, piece_index, id`,
    );
    return rows.map((r) => ({
      id: String(r.id),
      osmWayId: Number(r.osm_way_id),
      index: Number(r.piece_index),
      lengthM: Number(r.length_m),
      roadClass: String(r.road_class),
      name: (r.name as string | null) ?? null,
      attributes: (r.attributes as Record<string, unknown>) ?? {},
    }));
  }

  /** Marks segments for the relay to re-score: those scored by another model version, or all. */
  async markForRescore(modelVersion: string | null, scope?: TxScope): Promise<number> {
    // Counted by a SELECT over the update: the driver answers an UPDATE with [rows, count], not rows.
    const [row]: { n: number }[] = await managerOf(this.dataSource, scope).query(
      modelVersion === null
        ? `WITH marked AS (UPDATE road_segment SET rescore_pending = true RETURNING id) SELECT count(*)::int AS n FROM marked`
        : `WITH marked AS (
             UPDATE road_segment s SET rescore_pending = true
              WHERE NOT s.rescore_pending
                AND NOT EXISTS (SELECT 1 FROM segment_risk r WHERE r.segment_id = s.id AND r.model_version = $1)
             RETURNING id)
           SELECT count(*)::int AS n FROM marked`,
      modelVersion === null ? [] : [modelVersion],
    );
    return row.n;
  }

  /** A segment's line and its responsible jurisdiction (as the task service placed it). */
  async placeOf(segmentId: string): Promise<{ geometry: LineString; jurisdictionId: string | null; jurisdictionName: string | null } | null> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT ST_AsGeoJSON(s.geom, 7) AS g, j.jurisdiction_id, j.jurisdiction_name
         FROM road_segment s LEFT JOIN segment_jurisdiction j ON j.segment_id = s.id WHERE s.id = $1`,
      [segmentId],
    );
    if (!rows.length) return null;
    return {
      geometry: JSON.parse(String(rows[0].g)) as LineString,
      jurisdictionId: (rows[0].jurisdiction_id as string | null) ?? null,
      jurisdictionName: (rows[0].jurisdiction_name as string | null) ?? null,
    };
  }

  /**
   * Every segment's id and line (a 2-D LineString as little-endian WKB), in id order, `batchSize`
   * rows at a time: keyset pages over the primary key, all read in one snapshot, so that the
   * reader holds one batch rather than the whole network (as text and parsed objects, 5 M
   * segments took 4.2 GB). The reader is told the totals first, so it can size its arrays once;
   * it is done with a batch when `batch` returns. Returns the row count.
   */
  async readGeometries(batchSize: number, reader: SegmentGeometryReader): Promise<number> {
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const [totals]: { segments: number; vertices: string }[] = await manager.query(
        `SELECT count(*)::int AS segments, COALESCE(sum(ST_NPoints(geom)), 0) AS vertices FROM road_segment`,
      );
      reader.totals({ segments: totals.segments, vertices: Number(totals.vertices) });
      let count = 0;
      let last: string | null = null;
      for (;;) {
        const rows: SegmentGeometryRow[] = await manager.query(
          last === null
            ? `SELECT id, ST_AsBinary(geom, 'NDR') AS wkb FROM road_segment ORDER BY id LIMIT $1`
            : `SELECT id, ST_AsBinary(geom, 'NDR') AS wkb FROM road_segment WHERE id > $2 ORDER BY id LIMIT $1`,
          last === null ? [batchSize] : [batchSize, last],
        );
        if (rows.length === 0) return count;
        reader.batch(rows);
        count += rows.length;
        if (rows.length < batchSize) return count;
        last = rows[rows.length - 1].id;
      }
    });
  }

  /** The first of these ids (in their order) that names no segment, or null when all do. */
  async firstMissing(segmentIds: readonly string[], scope?: TxScope): Promise<string | null> {
    const rows: { id: string }[] = await managerOf(this.dataSource, scope).query(
      `SELECT x.id FROM unnest($1::text[]) WITH ORDINALITY AS x(id, n)
        WHERE NOT EXISTS (SELECT 1 FROM road_segment s WHERE s.id = x.id) ORDER BY x.n LIMIT 1`,
      [segmentIds],
    );
    return rows.length ? rows[0].id : null;
  }

  /**
   * Changes whenever segments are added, removed or changed (an import): the matcher rebuilds when it
   * does. One row, kept by a trigger on `road_segment`, whatever the network's size.
   */
  async fingerprint(scope?: TxScope): Promise<string> {
    // With the time: a schema dropped and migrated again starts at revision 1 again.
    const [row]: { revision: string; changed_at: Date }[] = await managerOf(this.dataSource, scope).query(`SELECT revision, changed_at FROM network_revision`);
    return `r${row.revision}@${new Date(row.changed_at).toISOString()}`;
  }

  /**
   * Up to `limit` segments whose profile has not been announced since their last import, locked until the transaction ends;
   * rows another instance's relay holds are skipped, so two relays announce each profile once.
   */
  async pendingProfiles(limit: number, scope?: TxScope): Promise<SegmentProfileRow[]> {
    const rows: Record<string, unknown>[] = await managerOf(this.dataSource, scope).query(
      `SELECT id, road_class, name, length_m, ST_AsGeoJSON(geom, 9) AS g, attributes, exposure_score, exposure_level
         FROM road_segment WHERE NOT profile_published ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    return rows.map((r) => ({
      id: String(r.id),
      roadClass: String(r.road_class),
      name: (r.name as string | null) ?? null,
      lengthM: Number(r.length_m),
      geometry: JSON.parse(String(r.g)) as LineString,
      attributes: (r.attributes as Record<string, unknown>) ?? {},
      exposureScore: Number(r.exposure_score),
      exposureLevel: String(r.exposure_level),
    }));
  }

  /**
   * Up to `limit` segments whose live risk waits to be recomputed (their exposure changed in a
   * re-import, or another model version scored them), locked until the transaction ends, skipping
   * those another instance holds.
   */
  async pendingRescores(limit: number, scope?: TxScope): Promise<string[]> {
    const rows: { id: string }[] = await managerOf(this.dataSource, scope).query(
      `SELECT id FROM road_segment WHERE rescore_pending ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    return rows.map((r) => r.id);
  }

  async clearRescores(ids: readonly string[], scope?: TxScope): Promise<void> {
    if (ids.length) await managerOf(this.dataSource, scope).query(`UPDATE road_segment SET rescore_pending = false WHERE id = ANY($1::text[])`, [ids]);
  }

  async markProfilesPublished(ids: readonly string[], scope?: TxScope): Promise<void> {
    if (ids.length) await managerOf(this.dataSource, scope).query(`UPDATE road_segment SET profile_published = true WHERE id = ANY($1::text[])`, [ids]);
  }

  async count(scope?: TxScope): Promise<number> {
    const rows: { n: string }[] = await managerOf(this.dataSource, scope).query(`SELECT count(*) AS n FROM road_segment`);
    return Number(rows[0].n);
  }
}

/** A segment's columns (those named with `prefix`) as the risk model reads a piece of a reach. */
function reachNeighbourOf(r: Record<string, unknown>, prefix: string): ReachNeighbour {
  return {
    id: String(r[`${prefix}id`]),
    lengthM: Number(r[`${prefix}length_m`]),
    roadClass: String(r[`${prefix}road_class`]),
    attributes: (r[`${prefix}attributes`] as Record<string, unknown>) ?? {},
  };
}
