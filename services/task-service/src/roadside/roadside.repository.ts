import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { InventoryState, RoadSide, Stretch } from '@roadloop/geo';
import { TxScope, managerOf } from '@roadloop/persistence';
import { CLOSED_STATUSES } from '../tasks/task-lifecycle';

export type InventorySource = 'osm' | 'import' | 'crew_survey' | 'verified_fix';

export interface InventoryRecord {
  segmentId: string;
  side: RoadSide;
  status: InventoryState;
  source: InventorySource;
  observedAt: Date;
  fromM: number | null;
  toM: number | null;
  taskId: string | null;
  recordedBy: string;
}

export interface NeedRecord {
  segmentId: string;
  side: RoadSide;
  action: 'survey' | 'works';
  water: boolean;
  reason: string;
}

/** A need not yet covered by a task, with what the stretch builder reads of its segment. */
export interface OpenNeed extends NeedRecord {
  name: string | null;
  lengthM: number;
  coordinates: [number, number][];
}

export interface StoredStretch {
  taskId: string;
  stretchId: string;
  roadKey: string;
  side: string;
  lengthM: number;
  members: { segmentId: string; side: string; lengthM: number; reversed: boolean }[];
  geometry: { type: 'MultiLineString'; coordinates: [number, number][][] };
}

const CLOSED_SQL = CLOSED_STATUSES.map((s) => `'${s}'`).join(', ');

/** Owns `roadside_inventory`, `roadside_need` and `task_stretch`. */
@Injectable()
export class RoadsideRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Serialises stretch planning (one planner at a time, across replicas). */
  async lockPlanner(scope: TxScope): Promise<void> {
    await managerOf(this.dataSource, scope).query(`SELECT pg_advisory_xact_lock(hashtext('task.stretch-planner'))`);
  }

  /** Whether any need changed within the last `ms` (an import still arriving). */
  async needsChangedWithin(ms: number): Promise<boolean> {
    const [row] = await this.dataSource.query(`SELECT coalesce(max(updated_at) > now() - make_interval(secs => $1::float8 / 1000), false) AS busy FROM roadside_need`, [ms]);
    return Boolean(row.busy);
  }

  async inventory(segmentIds: readonly string[], scope?: TxScope): Promise<InventoryRecord[]> {
    if (!segmentIds.length) return [];
    const rows: Record<string, unknown>[] = await managerOf(this.dataSource, scope).query(
      `SELECT * FROM roadside_inventory WHERE segment_id = ANY($1::text[]) ORDER BY segment_id, side`,
      [segmentIds],
    );
    return rows.map((r) => ({
      segmentId: String(r.segment_id),
      side: r.side as RoadSide,
      status: r.status as InventoryState,
      source: r.source as InventorySource,
      observedAt: new Date(r.observed_at as string),
      fromM: r.from_m === null ? null : Number(r.from_m),
      toM: r.to_m === null ? null : Number(r.to_m),
      taskId: (r.task_id as string | null) ?? null,
      recordedBy: String(r.recorded_by),
    }));
  }

  async upsertInventory(records: readonly InventoryRecord[], scope: TxScope): Promise<void> {
    for (const r of records) {
      await managerOf(this.dataSource, scope).query(
        `INSERT INTO roadside_inventory (segment_id, side, status, source, observed_at, from_m, to_m, task_id, recorded_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (segment_id, side) DO UPDATE SET status = EXCLUDED.status, source = EXCLUDED.source, observed_at = EXCLUDED.observed_at,
                from_m = EXCLUDED.from_m, to_m = EXCLUDED.to_m, task_id = EXCLUDED.task_id, recorded_by = EXCLUDED.recorded_by, updated_at = now()`,
        [r.segmentId, r.side, r.status, r.source, r.observedAt, r.fromM, r.toM, r.taskId, r.recordedBy],
      );
    }
  }

  /** The segment's needs, replaced as a whole. */
  async replaceNeeds(segmentId: string, needs: readonly NeedRecord[], scope: TxScope): Promise<void> {
    const m = managerOf(this.dataSource, scope);
    await m.query(`DELETE FROM roadside_need WHERE segment_id = $1`, [segmentId]);
    for (const n of needs) {
      await m.query(`INSERT INTO roadside_need (segment_id, side, action, water, reason) VALUES ($1, $2, $3, $4, $5)`, [
        n.segmentId,
        n.side,
        n.action,
        n.water,
        n.reason,
      ]);
    }
  }

  /** Stored profiles (road class and attributes) of segments, for recomputing their needs. */
  async profiles(segmentIds: readonly string[], scope: TxScope): Promise<{ segmentId: string; roadClass: string; profile: Record<string, unknown> }[]> {
    const rows: { segment_id: string; road_class: string; profile: Record<string, unknown> }[] = await managerOf(this.dataSource, scope).query(
      `SELECT segment_id, road_class, profile FROM segment_ref WHERE segment_id = ANY($1::text[]) ORDER BY segment_id`,
      [segmentIds],
    );
    return rows.map((r) => ({ segmentId: r.segment_id, roadClass: r.road_class, profile: r.profile }));
  }

  /**
   * Segments within toleranceM of a line (a surveyed guardrail), with their centre lines in their own
   * direction. The index narrows by a box at least as wide as the tolerance (degrees of longitude shrink with latitude); the geography distance decides.
   */
  async segmentsNear(line: readonly (readonly [number, number])[], toleranceM: number): Promise<{ segmentId: string; coordinates: [number, number][]; lengthM: number }[]> {
    const rows: { segment_id: string; coordinates: [number, number][]; length_m: number }[] = await this.dataSource.query(
      `WITH l AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4326) AS g)
       SELECT s.segment_id, ST_AsGeoJSON(s.geom)::json -> 'coordinates' AS coordinates, s.length_m
         FROM segment_ref s, l
        WHERE s.geom && ST_Expand(l.g, $2::float8 / 111000.0 / cos(radians(least(abs(ST_Y(ST_Centroid(l.g))), 85))))
          AND ST_DWithin(s.geom::geography, l.g::geography, $2)
        ORDER BY s.segment_id`,
      [JSON.stringify({ type: 'LineString', coordinates: line }), toleranceM],
    );
    return rows.map((r) => ({ segmentId: r.segment_id, coordinates: r.coordinates, lengthM: Number(r.length_m) }));
  }

  async segmentLengths(segmentIds: readonly string[], scope?: TxScope): Promise<Map<string, number>> {
    const rows: { segment_id: string; length_m: number }[] = await managerOf(this.dataSource, scope).query(
      `SELECT segment_id, length_m FROM segment_ref WHERE segment_id = ANY($1::text[])`,
      [segmentIds],
    );
    return new Map(rows.map((r) => [r.segment_id, Number(r.length_m)]));
  }

  /**
   * Needs no task covers yet: a survey need unless a survey task (in any state but duplicate) has
   * the segment among its members; a works need unless a guardrail task has the segment and side
   * among its members, or an open guardrail task stands on the segment itself.
   */
  async openNeeds(scope?: TxScope): Promise<OpenNeed[]> {
    const rows: Record<string, unknown>[] = await managerOf(this.dataSource, scope).query(
      // The stretches' members as rows, so that each need is looked up by equality (a containment
      // test of every need against every stretch took over a second on one region).
      `WITH covered AS (
         SELECT DISTINCT t.countermeasure, m ->> 'segmentId' AS segment_id, m ->> 'side' AS side
           FROM task_stretch ts JOIN task t ON t.id = ts.task_id CROSS JOIN LATERAL jsonb_array_elements(CASE jsonb_typeof(ts.members) WHEN 'array' THEN ts.members ELSE '[]' END) m
          WHERE t.status <> 'duplicate')
       SELECT n.*, s.name, s.length_m, ST_AsGeoJSON(s.geom)::json -> 'coordinates' AS coordinates
         FROM roadside_need n JOIN segment_ref s ON s.segment_id = n.segment_id
        WHERE NOT EXISTS (
                SELECT 1 FROM covered c
                 WHERE c.countermeasure = CASE n.action WHEN 'survey' THEN 'roadside_survey' ELSE 'guardrail' END
                   AND c.segment_id = n.segment_id
                   -- A survey covers both sides; works cover the member's side.
                   AND (n.action = 'survey' OR c.side = n.side))
          AND NOT (n.action = 'works' AND EXISTS (
                SELECT 1 FROM task t WHERE t.segment_id = n.segment_id AND t.countermeasure = 'guardrail' AND t.status NOT IN (${CLOSED_SQL})))
        ORDER BY n.segment_id, n.side`,
    );
    return rows.map((r) => ({
      segmentId: String(r.segment_id),
      side: r.side as RoadSide,
      action: r.action as NeedRecord['action'],
      water: Boolean(r.water),
      reason: String(r.reason),
      name: (r.name as string | null) ?? null,
      lengthM: Number(r.length_m),
      coordinates: r.coordinates as [number, number][],
    }));
  }

  async insertStretch(taskId: string, stretch: Stretch, scope: TxScope): Promise<void> {
    await managerOf(this.dataSource, scope).query(
      `INSERT INTO task_stretch (task_id, stretch_id, road_key, side, length_m, members, geom)
       VALUES ($1, $2, $3, $4, $5, $6, ST_SetSRID(ST_GeomFromGeoJSON($7), 4326))`,
      [taskId, stretch.id, stretch.roadKey, stretch.side, stretch.lengthM, JSON.stringify(stretch.members), JSON.stringify({ type: 'MultiLineString', coordinates: stretch.lines })],
    );
  }

  async stretchOf(taskId: string, scope?: TxScope): Promise<StoredStretch | null> {
    const rows: Record<string, unknown>[] = await managerOf(this.dataSource, scope).query(
      `SELECT task_id, stretch_id, road_key, side, length_m, members, ST_AsGeoJSON(geom)::json AS geometry FROM task_stretch WHERE task_id = $1`,
      [taskId],
    );
    if (!rows.length) return null;
    const r = rows[0];
    return {
      taskId: String(r.task_id),
      stretchId: String(r.stretch_id),
      roadKey: String(r.road_key),
      side: String(r.side),
      lengthM: Number(r.length_m),
      members: r.members as StoredStretch['members'],
      geometry: r.geometry as StoredStretch['geometry'],
    };
  }

  /** Needs and inventory counts, for the start-up summary and the acceptance checks. */
  async summary(): Promise<{ surveys: number; surveyKm: number; works: number; worksKm: number }> {
    const [row] = await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE t.countermeasure = 'roadside_survey')::int AS surveys,
              coalesce(sum(ts.length_m) FILTER (WHERE t.countermeasure = 'roadside_survey'), 0) / 1000 AS survey_km,
              count(*) FILTER (WHERE t.countermeasure = 'guardrail')::int AS works,
              coalesce(sum(ts.length_m) FILTER (WHERE t.countermeasure = 'guardrail'), 0) / 1000 AS works_km
         FROM task_stretch ts JOIN task t ON t.id = ts.task_id WHERE t.status <> 'duplicate'`,
    );
    return { surveys: Number(row.surveys), surveyKm: Number(row.survey_km), works: Number(row.works), worksKm: Number(row.works_km) };
  }
}
