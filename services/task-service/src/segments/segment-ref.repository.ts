import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SegmentProfile } from '@roadloop/contracts';
import { TxScope, managerOf } from '@roadloop/persistence';

/** Owns `segment_ref` (the task service's copy of segment profiles), `segment_hazard`, `segment_accident` and `segment_risk_state`. */
@Injectable()
export class SegmentRefRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Stores a profile unless a newer one is stored already; returns whether it was applied. */
  async upsertProfile(profile: SegmentProfile, eventId: string, occurredAt: Date, scope: TxScope): Promise<boolean> {
    const { geometry, ...attributes } = profile;
    const rows: unknown[] = await managerOf(this.dataSource, scope).query(
      `INSERT INTO segment_ref (segment_id, geom, road_class, name, length_m, profile, profile_event_id, profile_occurred_at)
       VALUES ($1, ST_SetSRID(ST_GeomFromGeoJSON($2), 4326), $3, $4, $5, $6, $7, $8)
       ON CONFLICT (segment_id) DO UPDATE
          SET geom = EXCLUDED.geom, road_class = EXCLUDED.road_class, name = EXCLUDED.name, length_m = EXCLUDED.length_m,
              profile = EXCLUDED.profile, profile_event_id = EXCLUDED.profile_event_id,
              profile_occurred_at = EXCLUDED.profile_occurred_at, updated_at = now()
        WHERE segment_ref.profile_occurred_at <= EXCLUDED.profile_occurred_at
       RETURNING segment_id`,
      [profile.segmentId, JSON.stringify(geometry), profile.roadClass, profile.name, profile.lengthM, JSON.stringify(attributes), eventId, occurredAt],
    );
    return rows.length === 1;
  }

  /** Geodesic distance in metres from a point to a segment, or null for an unknown segment. */
  async distanceTo(segmentId: string, lon: number, lat: number, scope?: TxScope): Promise<number | null> {
    const rows: { d: number }[] = await managerOf(this.dataSource, scope).query(
      `SELECT ST_Distance(geom::geography, ST_SetSRID(ST_MakePoint($2, $3), 4326)::geography) AS d FROM segment_ref WHERE segment_id = $1`,
      [segmentId, lon, lat],
    );
    return rows.length ? Number(rows[0].d) : null;
  }

  async exists(segmentId: string, scope?: TxScope): Promise<boolean> {
    const rows: unknown[] = await managerOf(this.dataSource, scope).query(`SELECT 1 FROM segment_ref WHERE segment_id = $1`, [segmentId]);
    return rows.length > 0;
  }

  /** Records a matched hazard once; false when this hazard was seen before (a redelivery). */
  async insertHazardIfNew(
    h: { hazardId: string; segmentId: string; category: string; severity: string; reportedAt: Date; eventId: string },
    scope: TxScope,
  ): Promise<boolean> {
    const rows: unknown[] = await managerOf(this.dataSource, scope).query(
      `INSERT INTO segment_hazard (hazard_id, segment_id, category, severity, reported_at, event_id)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (hazard_id) DO NOTHING RETURNING hazard_id`,
      [h.hazardId, h.segmentId, h.category, h.severity, h.reportedAt, h.eventId],
    );
    return rows.length === 1;
  }

  /**
   * Records a run's matched hazards with one statement (a hazard given twice counts once, as first
   * given); returns the ids that were new (the others were seen before: redeliveries).
   */
  async insertHazardsIfNew(
    hazards: readonly { hazardId: string; segmentId: string; category: string; severity: string; reportedAt: Date; eventId: string }[],
    scope: TxScope,
  ): Promise<Set<string>> {
    const first = [...new Map([...hazards].reverse().map((h) => [h.hazardId, h])).values()].reverse();
    if (!first.length) return new Set();
    const rows: { hazard_id: string }[] = await managerOf(this.dataSource, scope).query(
      `INSERT INTO segment_hazard (hazard_id, segment_id, category, severity, reported_at, event_id)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::uuid[])
       ON CONFLICT (hazard_id) DO NOTHING RETURNING hazard_id`,
      [
        first.map((h) => h.hazardId),
        first.map((h) => h.segmentId),
        first.map((h) => h.category),
        first.map((h) => h.severity),
        first.map((h) => h.reportedAt.toISOString()),
        first.map((h) => h.eventId),
      ],
    );
    return new Set(rows.map((r) => r.hazard_id));
  }

  /** Hazards of a segment that no verified fix has resolved yet. */
  async unresolvedHazards(segmentId: string, scope: TxScope): Promise<{ hazardId: string; category: string }[]> {
    const rows: { hazard_id: string; category: string }[] = await managerOf(this.dataSource, scope).query(
      `SELECT hazard_id, category FROM segment_hazard WHERE segment_id = $1 AND resolved_at IS NULL ORDER BY reported_at, hazard_id`,
      [segmentId],
    );
    return rows.map((r) => ({ hazardId: r.hazard_id, category: r.category }));
  }

  /** `unresolvedHazards` of many segments with one query. */
  async unresolvedHazardsOf(segmentIds: readonly string[], scope: TxScope): Promise<Map<string, { hazardId: string; category: string }[]>> {
    const found = new Map<string, { hazardId: string; category: string }[]>(segmentIds.map((id) => [id, []]));
    if (!segmentIds.length) return found;
    const rows: { segment_id: string; hazard_id: string; category: string }[] = await managerOf(this.dataSource, scope).query(
      `SELECT segment_id, hazard_id, category FROM segment_hazard WHERE segment_id = ANY($1::text[]) AND resolved_at IS NULL ORDER BY reported_at, hazard_id`,
      [[...new Set(segmentIds)]],
    );
    for (const r of rows) found.get(r.segment_id)!.push({ hazardId: r.hazard_id, category: r.category });
    return found;
  }

  async resolveHazards(hazardIds: string[], taskId: string, at: Date, scope: TxScope): Promise<void> {
    if (!hazardIds.length) return;
    await managerOf(this.dataSource, scope).query(
      `UPDATE segment_hazard SET resolved_at = $3, resolved_by = $2 WHERE hazard_id = ANY($1::uuid[]) AND resolved_at IS NULL`,
      [hazardIds, taskId, at],
    );
  }

  /** A fix that did not hold: its hazards are open again. */
  async unresolveHazards(taskId: string, scope: TxScope): Promise<void> {
    await managerOf(this.dataSource, scope).query(
      `UPDATE segment_hazard SET resolved_at = NULL, resolved_by = NULL WHERE resolved_by = $1`,
      [taskId],
    );
  }

  async insertAccidentIfNew(
    a: { accidentId: string; segmentId: string; occurredAt: Date; deaths: number; seriousInjuries: number; slightInjuries: number; eventId: string },
    scope: TxScope,
  ): Promise<boolean> {
    const rows: unknown[] = await managerOf(this.dataSource, scope).query(
      `INSERT INTO segment_accident (accident_id, segment_id, occurred_at, deaths, serious_injuries, slight_injuries, event_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (accident_id) DO NOTHING RETURNING accident_id`,
      [a.accidentId, a.segmentId, a.occurredAt, a.deaths, a.seriousInjuries, a.slightInjuries, a.eventId],
    );
    return rows.length === 1;
  }

  /**
   * Takes the transaction's locks on segments (held until it ends), in one global order (of the
   * lock keys), so that transactions handling several segments never wait for each other in a circle.
   */
  async lockSegments(segmentIds: readonly string[], scope: TxScope): Promise<void> {
    if (!segmentIds.length) return;
    await managerOf(this.dataSource, scope).query(
      `SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT hashtext('task.segment:' || s) AS k FROM unnest($1::text[]) AS s ORDER BY k OFFSET 0) AS keys`,
      [[...new Set(segmentIds)]],
    );
  }

  /**
   * `advanceRisk` for a run of changes, in order, with one statement: a change applies when its
   * revision is above the stored one and above every earlier change of its segment in the run; the
   * segment keeps the last change that applied. Returns, per change, whether it applied.
   */
  async advanceRisks(changes: readonly { segmentId: string; revision: number; level: string; eventId: string }[], scope: TxScope): Promise<boolean[]> {
    if (!changes.length) return [];
    const rows: { n: string; applies: boolean }[] = await managerOf(this.dataSource, scope).query(
      `WITH ev AS (
         SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::uuid[]) WITH ORDINALITY AS e (segment_id, revision, level, event_id, n)
       ), cur AS (
         SELECT s.segment_id, s.revision FROM segment_risk_state s WHERE s.segment_id IN (SELECT segment_id FROM ev) ORDER BY s.segment_id FOR UPDATE
       ), judged AS (
         SELECT ev.n, ev.segment_id, ev.revision, ev.level, ev.event_id,
                COALESCE(ev.revision > GREATEST(cur.revision,
                           max(ev.revision) OVER (PARTITION BY ev.segment_id ORDER BY ev.n ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)),
                         true) AS applies
           FROM ev LEFT JOIN cur ON cur.segment_id = ev.segment_id
       ), latest AS (
         SELECT DISTINCT ON (segment_id) segment_id, revision, level, event_id FROM judged WHERE applies ORDER BY segment_id, n DESC
       ), written AS (
         INSERT INTO segment_risk_state (segment_id, revision, level, event_id) SELECT segment_id, revision, level, event_id FROM latest
         ON CONFLICT (segment_id) DO UPDATE SET revision = EXCLUDED.revision, level = EXCLUDED.level,
                event_id = EXCLUDED.event_id, updated_at = now()
          WHERE segment_risk_state.revision < EXCLUDED.revision
         RETURNING segment_id
       )
       SELECT n, applies FROM judged ORDER BY n`,
      [changes.map((c) => c.segmentId), changes.map((c) => c.revision), changes.map((c) => c.level), changes.map((c) => c.eventId)],
    );
    return rows.map((r) => r.applies);
  }

  /**
   * Moves a segment's last applied risk revision forward; false for a revision already applied or
   * older (a redelivery or a late duplicate), which the caller then ignores.
   */
  async advanceRisk(segmentId: string, revision: number, level: string, eventId: string, scope: TxScope): Promise<boolean> {
    const rows: unknown[] = await managerOf(this.dataSource, scope).query(
      `INSERT INTO segment_risk_state (segment_id, revision, level, event_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (segment_id) DO UPDATE SET revision = EXCLUDED.revision, level = EXCLUDED.level,
              event_id = EXCLUDED.event_id, updated_at = now()
        WHERE segment_risk_state.revision < EXCLUDED.revision
       RETURNING segment_id`,
      [segmentId, revision, level, eventId],
    );
    return rows.length === 1;
  }
}
