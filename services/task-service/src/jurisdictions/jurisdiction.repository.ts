import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TxScope, managerOf } from '@roadloop/persistence';
import { CREW_QUEUE_LOCK } from '../crews/crew-queue.repository';

/** The prefix of a jurisdiction's assignment lock (an advisory lock keyed by the hash of prefix and id). */
export const ASSIGN_LOCK = 'task.assign:';

/** Crews in the order automatic routing prefers them: the fewest open tasks first, ties by id. */
export function byLoad(a: CrewRecord, b: CrewRecord): number {
  return a.openTasks - b.openTasks || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export interface JurisdictionRecord {
  id: string;
  name: string;
  updatedAt: Date;
}

export interface CrewRecord {
  id: string;
  name: string;
  jurisdictionId: string;
  openTasks: number;
  /** The crew's own capacity of released works tasks and of surveys; null: the service's default. */
  worksCapacity: number | null;
  surveyCapacity: number | null;
  /** Open tasks waiting in the crew's queue (not released yet). */
  queuedTasks: number;
}

/** Owns `jurisdiction` and `crew`; reads the segments' stored assignments (`segment_jurisdiction`) to route. */
@Injectable()
export class JurisdictionRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** PostGIS's verdict on a GeoJSON polygon: null when valid, else ST_IsValidReason's text. */
  async invalidityOf(geometry: object): Promise<string | null> {
    const [row] = await this.dataSource.query(
      `SELECT ST_IsValid(g) AS valid, ST_IsValidReason(g) AS reason FROM (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4326) AS g) s`,
      [JSON.stringify(geometry)],
    );
    return row.valid ? null : String(row.reason);
  }

  /** Creates or replaces a jurisdiction; returns whether it was new. */
  async upsert(id: string, name: string, geometry: object, scope?: TxScope): Promise<boolean> {
    const [row] = await managerOf(this.dataSource, scope).query(
      `INSERT INTO jurisdiction (id, name, geom) VALUES ($1, $2, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($3), 4326)))
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, geom = EXCLUDED.geom, updated_at = now()
       RETURNING (xmax = 0) AS inserted`,
      [id, name, JSON.stringify(geometry)],
    );
    return Boolean(row.inserted);
  }

  async find(id: string, scope?: TxScope): Promise<(JurisdictionRecord & { geometry: object }) | null> {
    const rows: Record<string, unknown>[] = await managerOf(this.dataSource, scope).query(
      `SELECT id, name, updated_at, ST_AsGeoJSON(geom)::json AS geometry FROM jurisdiction WHERE id = $1`,
      [id],
    );
    return rows.length ? { ...toJurisdiction(rows[0]), geometry: rows[0].geometry as object } : null;
  }

  async list(): Promise<JurisdictionRecord[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(`SELECT id, name, updated_at FROM jurisdiction ORDER BY id`);
    return rows.map(toJurisdiction);
  }

  /**
   * The jurisdiction responsible for a segment, as stored and published (`segment_jurisdiction`): the
   * one containing the segment's midpoint, else the one holding most of its length (see
   * `responsibleJurisdictionSql`). Null when no area holds it, or its geometry is not known yet.
   */
  async forSegment(segmentId: string, scope?: TxScope): Promise<string | null> {
    return (await this.forSegments([segmentId], scope)).get(segmentId) ?? null;
  }

  /**
   * Takes, at once, the locks a transaction routing tasks in several jurisdictions would take one by
   * one: the assignment locks of the jurisdictions (see `leastLoadedCrew`), then, with `crews`, the
   * queue locks of their crews and of `otherCrewIds` (see `CrewQueueRepository.lockCrew`); each kind
   * in the order of its lock keys. Two transactions that take theirs this way never wait for each
   * other in a circle.
   */
  async lockForRouting(jurisdictionIds: readonly string[], crews: boolean, otherCrewIds: readonly string[], scope: TxScope): Promise<void> {
    if (!jurisdictionIds.length && !(crews && otherCrewIds.length)) return;
    await managerOf(this.dataSource, scope).query(
      `SELECT pg_advisory_xact_lock(k) FROM (
         SELECT DISTINCT 0 AS kind, hashtext('${ASSIGN_LOCK}' || j) AS k FROM unnest($1::text[]) AS j
         UNION
         SELECT DISTINCT 1, hashtext('${CREW_QUEUE_LOCK}' || c) FROM (SELECT id FROM crew WHERE jurisdiction_id = ANY($1::text[]) UNION SELECT unnest($3::text[])) AS c (c) WHERE $2
         ORDER BY kind, k OFFSET 0) AS keys`,
      [[...new Set(jurisdictionIds)], crews, [...new Set(otherCrewIds)]],
    );
  }

  /**
   * `forSegment` for many segments (null for those no jurisdiction holds). The stored assignment
   * decides (revision 0: in none): every writer of an area or of a segment's geometry places the
   * segments again (in its transaction; a bulk load of areas once, at its end), so a task goes to the
   * jurisdiction dispatchers and the risk service were told of, for an index look-up instead of
   * polygon tests per segment. A segment with no row (its profile not here yet, or a database from
   * before assignments were stored) has the rule applied to its geometry, with a second query.
   */
  async forSegments(segmentIds: readonly string[], scope?: TxScope): Promise<Map<string, string | null>> {
    const found = new Map<string, string | null>(segmentIds.map((id) => [id, null]));
    if (!segmentIds.length) return found;
    const m = managerOf(this.dataSource, scope);
    const ids = [...new Set(segmentIds)];
    const stored: { segment_id: string; jurisdiction_id: string | null }[] = await m.query(
      `SELECT segment_id, jurisdiction_id FROM segment_jurisdiction WHERE segment_id = ANY($1::text[])`,
      [ids],
    );
    for (const r of stored) found.set(r.segment_id, r.jurisdiction_id);
    const placed = new Set(stored.map((r) => r.segment_id));
    const unplaced = ids.filter((id) => !placed.has(id));
    if (!unplaced.length) return found;
    const ruled: { segment_id: string; id: string }[] = await m.query(
      `SELECT s.segment_id, r.id FROM segment_ref s CROSS JOIN LATERAL (${responsibleJurisdictionSql('s.geom')}) r WHERE s.segment_id = ANY($1::text[])`,
      [unplaced],
    );
    for (const r of ruled) found.set(r.segment_id, r.id);
    return found;
  }

  async upsertCrew(
    id: string,
    name: string,
    jurisdictionId: string,
    capacity: { works: number | null; survey: number | null } = { works: null, survey: null },
    scope?: TxScope,
  ): Promise<boolean> {
    const [row] = await managerOf(this.dataSource, scope).query(
      `INSERT INTO crew (id, name, jurisdiction_id, works_capacity, survey_capacity) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, jurisdiction_id = EXCLUDED.jurisdiction_id,
              works_capacity = EXCLUDED.works_capacity, survey_capacity = EXCLUDED.survey_capacity, updated_at = now()
       RETURNING (xmax = 0) AS inserted`,
      [id, name, jurisdictionId, capacity.works, capacity.survey],
    );
    return Boolean(row.inserted);
  }

  async findCrew(id: string, scope?: TxScope): Promise<CrewRecord | null> {
    const rows = await this.crews(`c.id = $1`, [id], scope);
    return rows[0] ?? null;
  }

  async listCrews(jurisdictionId?: string): Promise<CrewRecord[]> {
    return jurisdictionId ? this.crews(`c.jurisdiction_id = $1`, [jurisdictionId]) : this.crews('true', []);
  }

  /**
   * The crew of a jurisdiction with the fewest open tasks (ties by crew id), under a transaction-scoped
   * advisory lock per jurisdiction so that concurrent assignments see each other's counts.
   */
  async leastLoadedCrew(jurisdictionId: string, scope: TxScope): Promise<CrewRecord | null> {
    await managerOf(this.dataSource, scope).query(`SELECT pg_advisory_xact_lock(hashtext('${ASSIGN_LOCK}' || $1))`, [jurisdictionId]);
    const rows = await this.crews(`c.jurisdiction_id = $1`, [jurisdictionId], scope);
    return rows.sort(byLoad)[0] ?? null;
  }

  /**
   * The crews of these jurisdictions with their open tasks, with one query. The caller holds the
   * jurisdictions' assignment locks (see `lockForRouting`), so no other automatic routing changes
   * the counts while it routes.
   */
  async crewsOf(jurisdictionIds: readonly string[], scope: TxScope): Promise<CrewRecord[]> {
    if (!jurisdictionIds.length) return [];
    return this.crews(`c.jurisdiction_id = ANY($1::text[])`, [[...new Set(jurisdictionIds)]], scope);
  }

  private async crews(where: string, params: unknown[], scope?: TxScope): Promise<CrewRecord[]> {
    const rows: Record<string, unknown>[] = await managerOf(this.dataSource, scope).query(
      `SELECT c.id, c.name, c.jurisdiction_id, c.works_capacity, c.survey_capacity,
              (SELECT count(*) FROM task t WHERE t.crew_id = c.id
                  AND t.status NOT IN ('verified', 'cancelled', 'duplicate', 'unable_to_fix'))::int AS open_tasks,
              (SELECT count(*) FROM task t WHERE t.crew_id = c.id AND t.status = 'created')::int AS queued_tasks
         FROM crew c WHERE ${where} ORDER BY c.id`,
      params,
    );
    return rows.map((r) => ({
      id: String(r.id),
      name: String(r.name),
      jurisdictionId: String(r.jurisdiction_id),
      openTasks: Number(r.open_tasks),
      worksCapacity: r.works_capacity === null ? null : Number(r.works_capacity),
      surveyCapacity: r.survey_capacity === null ? null : Number(r.survey_capacity),
      queuedTasks: Number(r.queued_tasks),
    }));
  }
}

/**
 * The rule placing a segment in one jurisdiction, as a subquery over a segment geometry expression
 * (for a LATERAL join): the area covering the segment's midpoint, else the one holding most of its
 * length (geodesic metres), ties by id. Its columns are `id` and `name`; no row when no area touches it.
 */
export function responsibleJurisdictionSql(geom: string): string {
  return `SELECT j.id, j.name FROM jurisdiction j
           WHERE ST_Intersects(j.geom, ${geom})
           ORDER BY ST_Covers(j.geom, ST_LineInterpolatePoint(${geom}, 0.5)) DESC,
                    ST_Length(ST_Intersection(j.geom, ${geom})::geography) DESC, j.id
           LIMIT 1`;
}

function toJurisdiction(r: Record<string, unknown>): JurisdictionRecord {
  return { id: String(r.id), name: String(r.name), updatedAt: new Date(r.updated_at as string) };
}
