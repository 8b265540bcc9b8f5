import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HazardCategory, HazardReport, HazardSeverity } from '@roadloop/contracts';
import { TxScope, managerOf } from '@roadloop/persistence';
import { groupBySegment } from '../segments/by-segment';
import { PageCursor } from '../queries/query-schemas';
import { SearchArea, areaConditions, keysetConditions, sqlParams } from '../queries/sql-area';

export type HazardStatus = 'open' | 'resolved' | 'duplicate';

export interface StoredHazard {
  id: string;
  category: HazardCategory;
  severity: HazardSeverity;
  lon: number;
  lat: number;
  segmentId: string | null;
  matchDistanceM: number | null;
  offsetM: number | null;
  status: HazardStatus;
  duplicateOf: string | null;
  assessed: boolean;
  reportedAt: string;
  resolvedAt: string | null;
  resolvedByTask: string | null;
  description: string | null;
}

export interface HazardSearch {
  area: SearchArea;
  status?: readonly HazardStatus[];
  category?: readonly HazardCategory[];
  from?: Date;
  to?: Date;
  limit: number;
  cursor?: PageCursor;
}

export interface HazardPlacement {
  eventId: string;
  correlationId: string;
  segmentId: string | null;
  matchDistanceM: number | null;
  offsetM: number | null;
}

/**
 * A row that already holds a report's id, its event's id or (accidents) its external id, and whether
 * it holds the same report (every field as sent), so that the intake can tell a redelivery from a
 * producer reusing an id.
 */
export interface ReportClaim {
  id: string;
  eventId: string;
  externalId: string | null;
  sameContent: boolean;
  segmentId: string | null;
  matchDistanceM: number | null;
  offsetM: number | null;
}

export function toClaim(r: Record<string, unknown>): ReportClaim {
  return {
    id: String(r.id),
    eventId: String(r.event_id),
    externalId: (r.external_id as string | null | undefined) ?? null,
    sameContent: r.same_content === true,
    segmentId: (r.segment_id as string | null) ?? null,
    matchDistanceM: r.match_distance_m === null ? null : Number(r.match_distance_m),
    offsetM: r.offset_m === null ? null : Number(r.offset_m),
  };
}

/** An open hazard as the risk model reads it. */
export type OpenHazardRow = Pick<StoredHazard, 'id' | 'category' | 'severity'>;

/** A timestamp as whole microseconds since the epoch (text, for BigInt): exact, unlike a JS Date. */
const MICROS = (column: string) => `(extract(epoch FROM ${column}) * 1000000)::bigint::text`;

/**
 * For one hazard: whether it was assessed already and is open, its report time, and, when it was not
 * assessed yet, the earliest earlier report it may repeat and the hazards of the same set near it.
 */
export interface DuplicateCandidates {
  assessed: boolean;
  open: boolean;
  reportedUs: bigint;
  earliest: { id: string; reportedUs: bigint } | null;
  near: string[];
}

const COLUMNS = `id, category, severity, ST_X(location) AS lon, ST_Y(location) AS lat, segment_id, match_distance_m,
  offset_m, status, duplicate_of, assessed_at, reported_at, resolved_at, resolved_by_task, description`;

/** Owns `hazard`. */
@Injectable()
export class HazardRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The rows holding this hazard id or this event id, each compared with the report. */
  async claims(report: HazardReport, eventId: string, scope?: TxScope): Promise<ReportClaim[]> {
    const rows: Record<string, unknown>[] = await managerOf(this.dataSource, scope).query(
      `SELECT id, event_id, segment_id, match_distance_m, offset_m,
              (category, severity, ST_X(location), ST_Y(location), reported_at, description, photo_urls, reporter)
                IS NOT DISTINCT FROM ($3::text, $4::text, $5::float8, $6::float8, $7::timestamptz, $8::text, $9::jsonb, $10::jsonb) AS same_content
         FROM hazard WHERE id = $1 OR event_id = $2
        ORDER BY id`,
      [
        report.hazardId,
        eventId,
        report.category,
        report.severity,
        report.lon,
        report.lat,
        report.reportedAt,
        report.description ?? null,
        report.photoUrls ? JSON.stringify(report.photoUrls) : null,
        report.reporter ? JSON.stringify(report.reporter) : null,
      ],
    );
    return rows.map(toClaim);
  }

  /**
   * Records a report unless its hazard id or event id is taken (false: the caller reads the claims
   * again and judges what took it — a redelivery, or a reused id to dead-letter). Any conflict, since
   * another partition may write the same event id between the caller's read and this insert.
   */
  async insertIfNew(report: HazardReport, placement: HazardPlacement, scope?: TxScope): Promise<boolean> {
    const rows: unknown[] = await managerOf(this.dataSource, scope).query(
      `INSERT INTO hazard (id, event_id, category, severity, location, segment_id, match_distance_m, offset_m, reported_at,
                           description, photo_urls, reporter, correlation_id)
       VALUES ($1, $2, $3, $4, ST_SetSRID(ST_MakePoint($5, $6), 4326), $7, $8, $9, $10, $11, $12, $13, $14)
       ON CONFLICT DO NOTHING
       RETURNING id`,
      [
        report.hazardId,
        placement.eventId,
        report.category,
        report.severity,
        report.lon,
        report.lat,
        placement.segmentId,
        placement.matchDistanceM,
        placement.offsetM,
        report.reportedAt,
        report.description ?? null,
        report.photoUrls ? JSON.stringify(report.photoUrls) : null,
        report.reporter ? JSON.stringify(report.reporter) : null,
        placement.correlationId,
      ],
    );
    return rows.length === 1;
  }

  /**
   * Records many reports in one statement, skipping any whose hazard id or event id is taken.
   * Returns the hazard ids recorded (the caller handles the others one at a time).
   */
  async insertManyIfNew(rows: readonly { report: HazardReport; placement: HazardPlacement }[], scope?: TxScope): Promise<Set<string>> {
    if (!rows.length) return new Set();
    const records = rows.map(({ report, placement }) => ({
      id: report.hazardId,
      event_id: placement.eventId,
      category: report.category,
      severity: report.severity,
      lon: report.lon,
      lat: report.lat,
      segment_id: placement.segmentId,
      match_distance_m: placement.matchDistanceM,
      offset_m: placement.offsetM,
      reported_at: report.reportedAt,
      description: report.description ?? null,
      photo_urls: report.photoUrls ?? null,
      reporter: report.reporter ?? null,
      correlation_id: placement.correlationId,
    }));
    const inserted: { id: string }[] = await managerOf(this.dataSource, scope).query(
      `INSERT INTO hazard (id, event_id, category, severity, location, segment_id, match_distance_m, offset_m, reported_at,
                           description, photo_urls, reporter, correlation_id)
       SELECT x.id, x.event_id, x.category, x.severity, ST_SetSRID(ST_MakePoint(x.lon, x.lat), 4326), x.segment_id,
              x.match_distance_m, x.offset_m, x.reported_at, x.description, x.photo_urls, x.reporter, x.correlation_id
         FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, event_id uuid, category text, severity text, lon float8, lat float8,
              segment_id text, match_distance_m float8, offset_m float8, reported_at timestamptz, description text,
              photo_urls jsonb, reporter jsonb, correlation_id text)
       ON CONFLICT DO NOTHING
       RETURNING id`,
      [JSON.stringify(records)],
    );
    return new Set(inserted.map((r) => String(r.id)));
  }

  async find(id: string, scope?: TxScope): Promise<StoredHazard | null> {
    const rows: Record<string, unknown>[] = await managerOf(this.dataSource, scope).query(
      `SELECT ${COLUMNS} FROM hazard WHERE id = $1`,
      [id],
    );
    return rows.length ? toStored(rows[0]) : null;
  }

  /**
   * The open hazards of several segments, as the risk model reads them (id, category, severity), in
   * one query; segments without any are absent. Only those columns: a run re-scores hundreds of
   * segments, each with every open hazard, and the whole rows were most of what it parsed.
   */
  async openOnSegments(segmentIds: readonly string[], scope?: TxScope): Promise<Map<string, OpenHazardRow[]>> {
    const rows: Record<string, unknown>[] = await managerOf(this.dataSource, scope).query(
      `SELECT segment_id, id, category, severity FROM hazard WHERE segment_id = ANY($1::text[]) AND status = 'open' ORDER BY segment_id, id`,
      [segmentIds],
    );
    return groupBySegment(rows, (r) => ({ id: String(r.id), category: r.category as HazardCategory, severity: r.severity as HazardSeverity }));
  }

  /** Several hazards as stored, in one query (ids no row holds are absent). */
  async findMany(ids: readonly string[], scope?: TxScope): Promise<Map<string, StoredHazard>> {
    const rows: Record<string, unknown>[] = await managerOf(this.dataSource, scope).query(
      `SELECT ${COLUMNS} FROM hazard WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return new Map(rows.map((r) => [String(r.id), toStored(r)]));
  }

  /**
   * What deciding whether each of these hazards repeats an earlier report needs, in one query: for
   * each (absent: no such hazard), whether it was assessed already and is open, and, for one not
   * assessed yet, the earliest open, already-assessed hazard of its category within `withinM` metres
   * and `withinDays` days (a report of the same thing, on its segment or an adjacent one), and the
   * others of these hazards of its category within that distance and time, which may be assessed before it.
   */
  async duplicateCandidates(ids: readonly string[], withinM: number, withinDays: number, scope?: TxScope): Promise<Map<string, DuplicateCandidates>> {
    const rows: { id: string; assessed: boolean; open: boolean; reported_us: string; earliest_id: string | null; earliest_us: string | null; near: string[] }[] = await managerOf(
      this.dataSource,
      scope,
    ).query(
      // One probe of the location index per hazard gives every report near it, of which the earliest
      // counted one and those of the run are kept. The probe is fenced (OFFSET 0) so that no other
      // filter reaches the scan: with the open-hazard index ANDed in, which the planner chose on the
      // stale statistics of a burst, each probe read every open hazard.
      `WITH run AS MATERIALIZED (SELECT id, category, reported_at, location, status, assessed_at FROM hazard WHERE id = ANY($1::uuid[])),
       close_by AS (
         SELECT h.id AS of_id, o.id, o.reported_at,
                o.status = 'open' AND o.assessed_at IS NOT NULL AS counted, o.id = ANY($1::uuid[]) AS in_run
           FROM (SELECT * FROM run WHERE assessed_at IS NULL) h
          CROSS JOIN LATERAL (
            SELECT o.id, o.category, o.reported_at, o.location, o.status, o.assessed_at FROM hazard o
             WHERE o.location && ST_Expand(h.location, $3 / 110000.0 / greatest(cos(radians(ST_Y(h.location))), 0.01), $3 / 110000.0)
            OFFSET 0
          ) o
          WHERE o.id <> h.id AND o.category = h.category
            AND abs(extract(epoch FROM (o.reported_at - h.reported_at))) <= $2 * 86400
            -- The box came first; then the exact distance on the spheroid.
            AND ST_DWithin(o.location::geography, h.location::geography, $3)
       )
       SELECT h.id, h.assessed_at IS NOT NULL AS assessed, h.status = 'open' AS open, ${MICROS('h.reported_at')} AS reported_us,
              (array_agg(n.id::text ORDER BY n.reported_at, n.id) FILTER (WHERE n.counted))[1] AS earliest_id,
              (array_agg(${MICROS('n.reported_at')} ORDER BY n.reported_at, n.id) FILTER (WHERE n.counted))[1] AS earliest_us,
              coalesce(array_agg(n.id::text) FILTER (WHERE n.in_run), '{}') AS near
         FROM run h LEFT JOIN close_by n ON n.of_id = h.id
        GROUP BY h.id, h.reported_at, h.assessed_at, h.status`,
      [ids, withinDays, withinM],
    );
    return new Map(
      rows.map((r) => [
        String(r.id),
        {
          assessed: r.assessed,
          open: r.open,
          reportedUs: BigInt(r.reported_us),
          earliest: r.earliest_id === null ? null : { id: String(r.earliest_id), reportedUs: BigInt(r.earliest_us!) },
          near: r.near.map(String),
        },
      ]),
    );
  }

  /**
   * Hazards are assessed one transaction at a time per schema: two reports of one thing handled at
   * once by two partitions (neighbouring segments) would otherwise each find the other unassessed and
   * both count. The caller keeps that transaction short (assessment only).
   */
  async lockAssessment(scope: TxScope): Promise<void> {
    await managerOf(this.dataSource, scope).query(`SELECT pg_advisory_xact_lock(7301, hashtext(current_schema()))`);
  }

  /** Marks hazards assessed, each with the earlier report it repeats (then a duplicate) or none, in one statement. */
  async markAssessedMany(decisions: readonly { id: string; duplicateOf: string | null }[], scope?: TxScope): Promise<void> {
    if (!decisions.length) return;
    await managerOf(this.dataSource, scope).query(
      `UPDATE hazard h SET assessed_at = now(), duplicate_of = x.duplicate_of,
              status = CASE WHEN x.duplicate_of IS NULL THEN h.status ELSE 'duplicate' END
         FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, duplicate_of uuid)
        WHERE h.id = x.id AND h.assessed_at IS NULL`,
      [JSON.stringify(decisions.map((d) => ({ id: d.id, duplicate_of: d.duplicateOf })))],
    );
  }

  /** Resolves open hazards (and their duplicates) fixed by a verified task. Returns the segments touched. */
  async resolve(ids: readonly string[], taskId: string, scope?: TxScope): Promise<string[]> {
    if (!ids.length) return [];
    const rows: { segment_id: string | null }[] = await managerOf(this.dataSource, scope).query(
      `UPDATE hazard SET status = 'resolved', resolved_at = now(), resolved_by_task = $2
        WHERE (id = ANY($1) OR duplicate_of = ANY($1)) AND status IN ('open', 'duplicate')
        RETURNING segment_id`,
      [ids, taskId],
    );
    return [...new Set(rows.map((r) => r.segment_id).filter((s): s is string => s !== null))];
  }

  /**
   * A verified fix also covers the open hazards of the categories it removes on its segment that were
   * reported up to its verification, listed in the task or not (a report may have reached the task
   * service only after the task was opened). Returns how many it resolved.
   */
  async resolveCoveredBy(segmentId: string, categories: readonly string[], verifiedAt: Date, taskId: string, scope?: TxScope): Promise<number> {
    if (!categories.length) return 0;
    const rows: unknown[] = await managerOf(this.dataSource, scope).query(
      `UPDATE hazard SET status = 'resolved', resolved_at = now(), resolved_by_task = $4
        WHERE segment_id = $1 AND category = ANY($2) AND status IN ('open', 'duplicate') AND reported_at <= $3
        RETURNING id`,
      [segmentId, categories, verifiedAt, taskId],
    );
    return rows.length;
  }

  async unmatched(limit: number): Promise<StoredHazard[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM hazard WHERE segment_id IS NULL ORDER BY received_at DESC LIMIT $1`,
      [limit],
    );
    return rows.map(toStored);
  }

  /** Hazards in an area, newest report first, one page after the cursor (one row more than asked: there is a next page). */
  async search(q: HazardSearch): Promise<StoredHazard[]> {
    const { values, p } = sqlParams();
    const where = ['true', ...areaConditions('location', q.area, p), ...keysetConditions('reported_at', q.cursor, p)];
    if (q.status?.length) where.push(`status = ANY(${p(q.status)}::text[])`);
    if (q.category?.length) where.push(`category = ANY(${p(q.category)}::text[])`);
    if (q.from) where.push(`reported_at >= ${p(q.from.toISOString())}`);
    if (q.to) where.push(`reported_at <= ${p(q.to.toISOString())}`);
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM hazard WHERE ${where.join(' AND ')} ORDER BY reported_at DESC, id DESC LIMIT ${p(q.limit + 1)}`,
      values,
    );
    return rows.map(toStored);
  }

  async onSegment(segmentId: string, limit: number): Promise<StoredHazard[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM hazard WHERE segment_id = $1 ORDER BY reported_at DESC LIMIT $2`,
      [segmentId, limit],
    );
    return rows.map(toStored);
  }
}

function iso(v: unknown): string | null {
  return v === null || v === undefined ? null : new Date(v as string).toISOString();
}

function toStored(r: Record<string, unknown>): StoredHazard {
  return {
    id: String(r.id),
    category: r.category as HazardCategory,
    severity: r.severity as HazardSeverity,
    lon: Number(r.lon),
    lat: Number(r.lat),
    segmentId: (r.segment_id as string | null) ?? null,
    matchDistanceM: r.match_distance_m === null ? null : Number(r.match_distance_m),
    offsetM: r.offset_m === null || r.offset_m === undefined ? null : Number(r.offset_m),
    status: r.status as HazardStatus,
    duplicateOf: (r.duplicate_of as string | null) ?? null,
    assessed: r.assessed_at !== null && r.assessed_at !== undefined,
    reportedAt: iso(r.reported_at)!,
    resolvedAt: iso(r.resolved_at),
    resolvedByTask: (r.resolved_by_task as string | null) ?? null,
    description: (r.description as string | null) ?? null,
  };
}
