import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OPEN_STATUSES, onSlaClockSql } from '../tasks/task-lifecycle';
import { IndexFacts } from './daily-index';
import { WorkloadCounts } from './jurisdiction-status';

const list = (statuses: readonly string[]) => statuses.map((s) => `'${s}'`).join(', ');
const OPEN_SQL = list(OPEN_STATUSES);
/** On the SLA clock at the time (by its status then; a task in a crew's queue is not). */
const ON_CLOCK = onSlaClockSql('st.status', 't.crew_id');

/** One jurisdiction at one instant: the end of a past day, or now for today. */
export interface IndexTarget {
  jurisdictionId: string;
  dayStart: Date;
  at: Date;
}

export interface TargetFacts {
  facts: IndexFacts;
  workload: WorkloadCounts;
}

export interface StoredIndexRow {
  jurisdictionId: string;
  day: string;
  methodVersion: number;
  index: number | null;
  band: string | null;
  status: string;
  statusReasons: string[];
  workload: WorkloadCounts;
  facts: IndexFacts;
  indicators: Record<string, { value: number | null; normalised: number | null }>;
  source: 'live' | 'rebuilt';
  asOf: Date;
  frozen: boolean;
}

/**
 * Owns `daily_index`, and reads the facts of the index from the task schema's read models. A task's
 * status at an instant is rebuilt from its audit trail; hazards and crashes count by their
 * timestamps; segments belong to the jurisdiction that holds them now (`segment_jurisdiction`).
 */
@Injectable()
export class DailyIndexRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The facts of each target, in the targets' order, in one statement. */
  async facts(targets: IndexTarget[], atRiskHours: number): Promise<TargetFacts[]> {
    if (!targets.length) return [];
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `WITH q AS (
         SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[]) WITH ORDINALITY AS q (jurisdiction_id, day_start, at, n)
       ), segs AS (
         SELECT sj.jurisdiction_id, sj.segment_id FROM segment_jurisdiction sj WHERE sj.jurisdiction_id = ANY($1::text[])
       )
       SELECT q.n, hz.*, cr.*, rd.*, tk.*, vf.*, rc.*, sla.*
         FROM q
         CROSS JOIN LATERAL (
           SELECT count(*) FILTER (WHERE h.reported_at >= q.day_start)::int AS new_hazards,
                  count(*) FILTER (WHERE h.resolved_at IS NULL OR h.resolved_at > q.at)::int AS open_hazards
             FROM segs JOIN segment_hazard h ON h.segment_id = segs.segment_id
            WHERE segs.jurisdiction_id = q.jurisdiction_id AND h.reported_at <= q.at) hz
         CROSS JOIN LATERAL (
           SELECT count(*)::int AS crashes_30d, coalesce(sum(a.deaths + a.serious_injuries), 0)::int AS deaths_serious_30d
             FROM segs JOIN segment_accident a ON a.segment_id = segs.segment_id
            WHERE segs.jurisdiction_id = q.jurisdiction_id AND a.occurred_at > q.at - interval '30 days' AND a.occurred_at <= q.at) cr
         CROSS JOIN LATERAL (
           SELECT coalesce(sum(s.length_m), 0) / 1000 AS road_km, count(*) FILTER (WHERE coalesce(r.level, s.profile->>'exposureLevel') = 'very_high')::int AS red_segments
             FROM segs JOIN segment_ref s ON s.segment_id = segs.segment_id
             LEFT JOIN segment_risk_state r ON r.segment_id = segs.segment_id
            WHERE segs.jurisdiction_id = q.jurisdiction_id) rd
         CROSS JOIN LATERAL (
           SELECT count(*) FILTER (WHERE st.status IN (${OPEN_SQL}))::int AS open,
                  count(*) FILTER (WHERE ${ON_CLOCK} AND t.due_at < q.at)::int AS overdue,
                  count(*) FILTER (WHERE ${ON_CLOCK} AND t.due_at < q.at AND t.priority = 'p1')::int AS overdue_p1,
                  count(*) FILTER (WHERE ${ON_CLOCK} AND t.due_at >= q.at
                                     AND t.due_at <= q.at + make_interval(secs => $4 * 3600))::int AS due_soon,
                  count(*) FILTER (WHERE t.status IN (${OPEN_SQL}) AND t.crew_id IS NULL)::int AS unassigned_now
             FROM task t
             CROSS JOIN LATERAL (
               SELECT h.to_status AS status FROM task_history h
                WHERE h.task_id = t.id AND h.occurred_at <= q.at ORDER BY h.occurred_at DESC, h.id DESC LIMIT 1) st
            WHERE t.jurisdiction_id = q.jurisdiction_id AND t.created_at <= q.at) tk
         CROSS JOIN LATERAL (
           SELECT avg(extract(epoch FROM t.verified_at - t.created_at) / 86400)::float8 AS mean_days_to_fix
             FROM task t
            WHERE t.jurisdiction_id = q.jurisdiction_id AND t.verified_at > q.at - interval '30 days' AND t.verified_at <= q.at) vf
         CROSS JOIN LATERAL (
           SELECT count(*) FILTER (WHERE h.to_status = 'verified')::int AS verified_90d,
                  count(*) FILTER (WHERE h.to_status = 'reopened' AND h.from_status = 'verified' AND t.fix_failed)::int AS reopened_90d
             FROM task t JOIN task_history h ON h.task_id = t.id
            WHERE t.jurisdiction_id = q.jurisdiction_id AND h.to_status IN ('verified', 'reopened')
              AND h.occurred_at > q.at - interval '90 days' AND h.occurred_at <= q.at) rc
         CROSS JOIN LATERAL (
           SELECT count(*)::int AS due_30d,
                  count(*) FILTER (WHERE EXISTS (SELECT 1 FROM task_history h
                                                  WHERE h.task_id = t.id AND h.to_status = 'submitted' AND h.occurred_at <= t.due_at))::int AS due_met_30d
             FROM task t
            WHERE t.jurisdiction_id = q.jurisdiction_id AND t.status NOT IN ('cancelled', 'duplicate')
              AND t.due_at > q.at - interval '30 days' AND t.due_at <= q.at) sla
        ORDER BY q.n`,
      [targets.map((t) => t.jurisdictionId), targets.map((t) => t.dayStart), targets.map((t) => t.at), atRiskHours],
    );
    return rows.map((r) => ({
      facts: {
        newHazards: Number(r.new_hazards),
        openHazards: Number(r.open_hazards),
        crashes30d: Number(r.crashes_30d),
        deathsSerious30d: Number(r.deaths_serious_30d),
        overdueTasks: Number(r.overdue),
        unassignedTasks: Number(r.unassigned_now),
        redSegments: Number(r.red_segments),
        roadKm: Number(r.road_km),
        meanDaysToFix: r.mean_days_to_fix === null ? null : Number(r.mean_days_to_fix),
        reopenedAfterVerification90d: Number(r.reopened_90d),
        verified90d: Number(r.verified_90d),
        dueTasks30d: Number(r.due_30d),
        dueTasksMet30d: Number(r.due_met_30d),
      },
      workload: { open: Number(r.open), overdue: Number(r.overdue), overdueP1: Number(r.overdue_p1), dueSoon: Number(r.due_soon) },
    }));
  }

  /** Stored rows of some days (`from`–`to` inclusive), optionally of one jurisdiction. */
  async stored(from: string, to: string, jurisdictionId?: string): Promise<StoredIndexRow[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT *, to_char(day, 'YYYY-MM-DD') AS day_text FROM daily_index
        WHERE day BETWEEN $1::date AND $2::date AND ($3::text IS NULL OR jurisdiction_id = $3)
        ORDER BY day, jurisdiction_id`,
      [from, to, jurisdictionId ?? null],
    );
    return rows.map((r) => ({
      jurisdictionId: String(r.jurisdiction_id),
      day: String(r.day_text),
      methodVersion: Number(r.method_version),
      index: r.index_value === null ? null : Number(r.index_value),
      band: (r.band as string | null) ?? null,
      status: String(r.status),
      statusReasons: r.status_reasons as string[],
      workload: r.workload as WorkloadCounts,
      facts: r.facts as IndexFacts,
      indicators: r.indicators as StoredIndexRow['indicators'],
      source: r.source as StoredIndexRow['source'],
      asOf: new Date(r.as_of as string),
      frozen: Boolean(r.frozen),
    }));
  }

  /** Writes rows; a frozen row is never overwritten. */
  async save(rows: StoredIndexRow[]): Promise<void> {
    if (!rows.length) return;
    await this.dataSource.query(
      `INSERT INTO daily_index AS cur (jurisdiction_id, day, method_version, index_value, band, status, status_reasons, workload,
                                       facts, indicators, source, as_of, frozen)
       SELECT r.jurisdiction_id, r.day, r.method_version, r.index_value, r.band, r.status, r.status_reasons, r.workload,
              r.facts, r.indicators, r.source, r.as_of, r.frozen
         FROM jsonb_to_recordset($1::jsonb) AS r (jurisdiction_id text, day date, method_version int, index_value float8, band text,
              status text, status_reasons jsonb, workload jsonb, facts jsonb, indicators jsonb, source text, as_of timestamptz, frozen boolean)
       ON CONFLICT (jurisdiction_id, day) DO UPDATE
          SET method_version = EXCLUDED.method_version, index_value = EXCLUDED.index_value, band = EXCLUDED.band,
              status = EXCLUDED.status, status_reasons = EXCLUDED.status_reasons, workload = EXCLUDED.workload,
              facts = EXCLUDED.facts, indicators = EXCLUDED.indicators, source = EXCLUDED.source, as_of = EXCLUDED.as_of,
              frozen = EXCLUDED.frozen, computed_at = now()
        -- Frozen rows stay; of two recorders (instances) the later computation wins, whichever writes last.
        WHERE NOT cur.frozen AND cur.as_of <= EXCLUDED.as_of`,
      [
        JSON.stringify(
          rows.map((r) => ({
            jurisdiction_id: r.jurisdictionId,
            day: r.day,
            method_version: r.methodVersion,
            index_value: r.index,
            band: r.band,
            status: r.status,
            status_reasons: r.statusReasons,
            workload: r.workload,
            facts: r.facts,
            indicators: r.indicators,
            source: r.source,
            as_of: r.asOf.toISOString(),
            frozen: r.frozen,
          })),
        ),
      ],
    );
  }

  /** Jurisdiction polygons simplified for a map (Douglas–Peucker keeping topology, tolerance in degrees). */
  async simplifiedGeometries(toleranceDeg: number): Promise<Map<string, object>> {
    const rows: { id: string; geometry: object }[] = await this.dataSource.query(
      `SELECT id, ST_AsGeoJSON(ST_Multi(ST_SimplifyPreserveTopology(geom, $1)), 6)::json AS geometry FROM jurisdiction ORDER BY id`,
      [toleranceDeg],
    );
    return new Map(rows.map((r) => [r.id, r.geometry]));
  }
}
