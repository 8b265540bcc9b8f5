import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { RoadsideInventoryChanged } from '@roadloop/contracts';
import { TxScope, managerOf } from '@roadloop/persistence';

export type RecordedSide = RoadsideInventoryChanged['sides'][number];

/** Owns `segment_roadside`: each segment side's guardrail as the task service last announced it. */
@Injectable()
export class RoadsideInventoryRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Records the sides unless a later announcement was applied already (a late, older message changes
   * nothing; the same message again writes the same values). Returns the sides whose state changed.
   */
  async apply(segmentId: string, sides: readonly RecordedSide[], announcedAt: Date, scope: TxScope): Promise<RecordedSide['side'][]> {
    const rows: { side: RecordedSide['side'] }[] = await managerOf(this.dataSource, scope).query(
      `WITH previous AS (SELECT side, status FROM segment_roadside WHERE segment_id = $1)
       INSERT INTO segment_roadside AS r (segment_id, side, status, source, observed_at, announced_at)
       SELECT $1, x.side, x.status, x.source, x.observed_at, $3
         FROM jsonb_to_recordset($2::jsonb) AS x(side text, status text, source text, observed_at timestamptz)
       ON CONFLICT (segment_id, side) DO UPDATE
          SET status = EXCLUDED.status, source = EXCLUDED.source, observed_at = EXCLUDED.observed_at,
              announced_at = EXCLUDED.announced_at, updated_at = now()
        WHERE r.announced_at <= EXCLUDED.announced_at
       RETURNING r.side, r.status IS DISTINCT FROM (SELECT p.status FROM previous p WHERE p.side = r.side) AS changed`,
      [segmentId, JSON.stringify(sides.map((s) => ({ side: s.side, status: s.status, source: s.source, observed_at: s.observedAt }))), announcedAt],
    );
    return (rows as { side: RecordedSide['side']; changed: boolean }[]).filter((r) => r.changed).map((r) => r.side);
  }

  /** The recorded sides of a segment (none: nothing recorded, the map decides). */
  async of(segmentId: string, scope?: TxScope): Promise<RecordedSide[]> {
    const rows: { side: RecordedSide['side']; status: RecordedSide['status']; source: RecordedSide['source']; observed_at: Date }[] =
      await managerOf(this.dataSource, scope).query(
        `SELECT side, status, source, observed_at FROM segment_roadside WHERE segment_id = $1 ORDER BY side`,
        [segmentId],
      );
    return rows.map((r) => ({ side: r.side, status: r.status, source: r.source, observedAt: new Date(r.observed_at).toISOString() }));
  }
}
