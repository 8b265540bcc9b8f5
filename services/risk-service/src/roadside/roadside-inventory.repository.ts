import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { RoadsideInventoryChanged } from '@roadloop/contracts';
import { TxScope, managerOf } from '@roadloop/persistence';
import { groupBySegment } from '../segments/by-segment';

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
    return (await this.ofEach([segmentId], scope)).get(segmentId) ?? [];
  }

  /** `of` for several segments in one query (segments with nothing recorded are absent). */
  async ofEach(segmentIds: readonly string[], scope?: TxScope): Promise<Map<string, RecordedSide[]>> {
    const rows: Record<string, unknown>[] = await managerOf(this.dataSource, scope).query(
      `SELECT segment_id, side, status, source, observed_at FROM segment_roadside WHERE segment_id = ANY($1::text[]) ORDER BY segment_id, side`,
      [segmentIds],
    );
    return groupBySegment(rows, (r) => ({
      side: r.side as RecordedSide['side'],
      status: r.status as RecordedSide['status'],
      source: r.source as RecordedSide['source'],
      observedAt: new Date(r.observed_at as string).toISOString(),
    }));
  }
}
