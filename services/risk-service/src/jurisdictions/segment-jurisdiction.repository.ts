import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SegmentJurisdiction } from '@roadloop/contracts';

export interface AppliedAssignment {
  /** The jurisdiction the segment was in before this assignment (null: none, or first assignment). */
  previousJurisdictionId: string | null;
}

/** Owns `segment_jurisdiction`: the jurisdiction responsible for each segment, as last announced. */
@Injectable()
export class SegmentJurisdictionRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Applies an assignment unless one of the same or a later revision was applied already (a
   * redelivery or an out-of-order message changes nothing). Returns null when ignored.
   */
  async apply(a: SegmentJurisdiction): Promise<AppliedAssignment | null> {
    const rows: { previous: string | null }[] = await this.dataSource.query(
      `WITH previous AS (SELECT jurisdiction_id FROM segment_jurisdiction WHERE segment_id = $1)
       INSERT INTO segment_jurisdiction AS j (segment_id, jurisdiction_id, jurisdiction_name, revision, updated_at)
       VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (segment_id) DO UPDATE
          SET jurisdiction_id = EXCLUDED.jurisdiction_id, jurisdiction_name = EXCLUDED.jurisdiction_name,
              revision = EXCLUDED.revision, updated_at = now()
        WHERE j.revision < EXCLUDED.revision
       RETURNING (SELECT jurisdiction_id FROM previous) AS previous`,
      [a.segmentId, a.jurisdictionId, a.jurisdictionName, a.revision],
    );
    return rows.length ? { previousJurisdictionId: rows[0].previous ?? null } : null;
  }

  async find(segmentId: string): Promise<SegmentJurisdiction | null> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT segment_id, jurisdiction_id, jurisdiction_name, revision FROM segment_jurisdiction WHERE segment_id = $1`,
      [segmentId],
    );
    if (!rows.length) return null;
    const r = rows[0];
    return {
      segmentId: String(r.segment_id),
      jurisdictionId: (r.jurisdiction_id as string | null) ?? null,
      jurisdictionName: (r.jurisdiction_name as string | null) ?? null,
      revision: Number(r.revision),
    };
  }
}
