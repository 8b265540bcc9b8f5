import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SegmentJurisdiction } from '@roadloop/contracts';
import { TxScope, managerOf } from '@roadloop/persistence';
import { responsibleJurisdictionSql } from './jurisdiction.repository';

/**
 * Owns `segment_jurisdiction`. One advisory lock orders the writers: a recomputation of every
 * segment (after areas changed) holds it exclusively, a recomputation of a few segments (a profile
 * arrived) holds it shared, so neither writes an assignment computed from data the other replaced.
 */
@Injectable()
export class SegmentJurisdictionRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Applies the responsibility rule to the given segments of `segment_ref` (null: all of them) in one
   * statement and stores what changed: a segment placed for the first time (revision 1), or moved to
   * another jurisdiction, out of every jurisdiction, or whose jurisdiction was renamed (revision + 1).
   * A segment no area ever held gets a row of revision 0 with no jurisdiction, which is not a change
   * (nothing is published for it) but answers routing without the polygons being tested again.
   * Returns the changed assignments, by segment id.
   */
  async reassign(segmentIds: string[] | null, scope: TxScope): Promise<SegmentJurisdiction[]> {
    const m = managerOf(this.dataSource, scope);
    const lock = segmentIds === null ? 'pg_advisory_xact_lock' : 'pg_advisory_xact_lock_shared';
    await m.query(`SELECT ${lock}(hashtext('task.segment-jurisdiction'))`);
    const rows: Record<string, unknown>[] = await m.query(
      `WITH target AS (
         SELECT s.segment_id, r.id AS jurisdiction_id, r.name AS jurisdiction_name
           FROM segment_ref s LEFT JOIN LATERAL (${responsibleJurisdictionSql('s.geom')}) r ON true
          WHERE $1::text[] IS NULL OR s.segment_id = ANY($1::text[])
       ), changed AS (
         SELECT t.* FROM target t LEFT JOIN segment_jurisdiction cur USING (segment_id)
          WHERE cur.segment_id IS NULL OR (cur.jurisdiction_id, cur.jurisdiction_name) IS DISTINCT FROM (t.jurisdiction_id, t.jurisdiction_name)
       )
       INSERT INTO segment_jurisdiction AS cur (segment_id, jurisdiction_id, jurisdiction_name, revision)
       SELECT segment_id, jurisdiction_id, jurisdiction_name, CASE WHEN jurisdiction_id IS NULL THEN 0 ELSE 1 END FROM changed
       ON CONFLICT (segment_id) DO UPDATE
          SET jurisdiction_id = EXCLUDED.jurisdiction_id, jurisdiction_name = EXCLUDED.jurisdiction_name,
              revision = cur.revision + 1, updated_at = now()
        WHERE (cur.jurisdiction_id, cur.jurisdiction_name) IS DISTINCT FROM (EXCLUDED.jurisdiction_id, EXCLUDED.jurisdiction_name)
       RETURNING segment_id, jurisdiction_id, jurisdiction_name, revision`,
      [segmentIds],
    );
    return rows.map(toAssignment).filter((a) => a.revision > 0).sort((a, b) => (a.segmentId < b.segmentId ? -1 : a.segmentId > b.segmentId ? 1 : 0));
  }

  /** Takes the catch-up flag the migration left (see `SegmentJurisdictionCatchUp`): whether it was there. */
  async takeCatchUp(scope: TxScope): Promise<boolean> {
    const [row] = await managerOf(this.dataSource, scope).query(`WITH taken AS (DELETE FROM segment_jurisdiction_catch_up RETURNING one) SELECT count(*)::int AS n FROM taken`);
    return row.n > 0;
  }

  /** The stored assignment of a segment (revision 0: no area ever held it), or null when it was never placed. */
  async find(segmentId: string, scope?: TxScope): Promise<SegmentJurisdiction | null> {
    const rows: Record<string, unknown>[] = await managerOf(this.dataSource, scope).query(
      `SELECT segment_id, jurisdiction_id, jurisdiction_name, revision FROM segment_jurisdiction WHERE segment_id = $1`,
      [segmentId],
    );
    return rows.length ? toAssignment(rows[0]) : null;
  }
}

function toAssignment(r: Record<string, unknown>): SegmentJurisdiction {
  return {
    segmentId: String(r.segment_id),
    jurisdictionId: (r.jurisdiction_id as string | null) ?? null,
    jurisdictionName: (r.jurisdiction_name as string | null) ?? null,
    revision: Number(r.revision),
  };
}
