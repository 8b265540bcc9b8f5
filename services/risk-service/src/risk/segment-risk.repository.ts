import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { RiskLevel } from '@roadloop/contracts';
import { TxScope, managerOf } from '@roadloop/persistence';
import { RiskFactor } from './risk-model';

export interface SegmentRiskRow {
  segmentId: string;
  score: number;
  level: RiskLevel;
  factors: RiskFactor[];
  revision: number;
  publishedLevel: RiskLevel | null;
  publishedRevision: number | null;
}

/** Owns `segment_risk`: the current score of each segment and what was last announced on Kafka. */
@Injectable()
export class SegmentRiskRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Reads a segment's risk row and locks it until the transaction ends (one writer per segment). */
  async lock(segmentId: string, scope: TxScope): Promise<SegmentRiskRow | null> {
    const rows: Record<string, unknown>[] = await managerOf(this.dataSource, scope).query(
      `SELECT * FROM segment_risk WHERE segment_id = $1 FOR UPDATE`,
      [segmentId],
    );
    return rows.length ? toRow(rows[0]) : null;
  }

  async find(segmentId: string, scope?: TxScope): Promise<SegmentRiskRow | null> {
    const rows: Record<string, unknown>[] = await managerOf(this.dataSource, scope).query(
      `SELECT * FROM segment_risk WHERE segment_id = $1`,
      [segmentId],
    );
    return rows.length ? toRow(rows[0]) : null;
  }

  async save(row: Omit<SegmentRiskRow, 'publishedLevel' | 'publishedRevision'>, scope: TxScope): Promise<void> {
    await managerOf(this.dataSource, scope).query(
      `INSERT INTO segment_risk (segment_id, score, level, factors, revision, updated_at)
       VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (segment_id) DO UPDATE
         SET score = EXCLUDED.score, level = EXCLUDED.level, factors = EXCLUDED.factors,
             revision = EXCLUDED.revision, updated_at = now()`,
      [row.segmentId, row.score, row.level, JSON.stringify(row.factors), row.revision],
    );
  }

  /** Seeds rows for segments that have none, as already announced (an import is not a change). */
  async seedMissing(rows: readonly { segmentId: string; score: number; level: RiskLevel; factors: RiskFactor[] }[], scope?: TxScope): Promise<number> {
    if (!rows.length) return 0;
    const result: unknown[] = await managerOf(this.dataSource, scope).query(
      `INSERT INTO segment_risk (segment_id, score, level, factors, revision, published_level, published_revision)
       SELECT x.segment_id, x.score, x.level, x.factors, 0, x.level, 0
         FROM jsonb_to_recordset($1::jsonb) AS x(segment_id text, score float8, level text, factors jsonb)
       ON CONFLICT (segment_id) DO NOTHING
       RETURNING segment_id`,
      [JSON.stringify(rows.map((r) => ({ segment_id: r.segmentId, score: r.score, level: r.level, factors: r.factors })))],
    );
    return result.length;
  }

  /** Records that a level was announced, unless a later revision was announced already. */
  async markPublished(segmentId: string, level: RiskLevel, revision: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE segment_risk SET published_level = $2, published_revision = $3
        WHERE segment_id = $1 AND (published_revision IS NULL OR published_revision < $3)`,
      [segmentId, level, revision],
    );
  }

  async top(limit: number): Promise<{ segmentId: string; score: number; level: RiskLevel }[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT segment_id, score, level FROM segment_risk ORDER BY score DESC, segment_id LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({ segmentId: String(r.segment_id), score: Number(r.score), level: r.level as RiskLevel }));
  }

  async all(): Promise<{ segmentId: string; score: number }[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(`SELECT segment_id, score FROM segment_risk`);
    return rows.map((r) => ({ segmentId: String(r.segment_id), score: Number(r.score) }));
  }
}

function toRow(r: Record<string, unknown>): SegmentRiskRow {
  return {
    segmentId: String(r.segment_id),
    score: Number(r.score),
    level: r.level as RiskLevel,
    factors: r.factors as RiskFactor[],
    revision: Number(r.revision),
    publishedLevel: (r.published_level as RiskLevel | null) ?? null,
    publishedRevision: r.published_revision === null ? null : Number(r.published_revision),
  };
}
