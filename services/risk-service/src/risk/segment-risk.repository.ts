import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { RiskLevel } from '@roadloop/contracts';
import { TxScope, managerOf } from '@roadloop/persistence';
import { Alarm, CrashEstimate, RiskFactor } from './risk-model';

export interface SegmentRiskRow {
  segmentId: string;
  score: number;
  level: RiskLevel;
  alarm: Alarm;
  factors: RiskFactor[];
  exposureScore: number | null;
  crashEstimate: CrashEstimate | null;
  revision: number;
  /** The risk model version that computed the score (null: before versions were stored). */
  modelVersion: string | null;
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

  /**
   * Locks several segments' risk rows in id order (the same order everywhere: no deadlock between
   * reaches or runs) and returns them (segments without a row are absent).
   */
  async lockMany(segmentIds: readonly string[], scope: TxScope): Promise<Map<string, SegmentRiskRow>> {
    const rows: Record<string, unknown>[] = await managerOf(this.dataSource, scope).query(
      `SELECT * FROM segment_risk WHERE segment_id = ANY($1::text[]) ORDER BY segment_id FOR UPDATE`,
      [segmentIds],
    );
    return new Map(rows.map((r) => [String(r.segment_id), toRow(r)]));
  }

  async find(segmentId: string, scope?: TxScope): Promise<SegmentRiskRow | null> {
    const rows: Record<string, unknown>[] = await managerOf(this.dataSource, scope).query(
      `SELECT * FROM segment_risk WHERE segment_id = $1`,
      [segmentId],
    );
    return rows.length ? toRow(rows[0]) : null;
  }

  /** `save` for several segments: one statement for the rows, one for their history. */
  async saveMany(revisions: readonly { row: Omit<SegmentRiskRow, 'publishedLevel' | 'publishedRevision'>; cause: unknown }[], scope: TxScope): Promise<void> {
    if (!revisions.length) return;
    const manager = managerOf(this.dataSource, scope);
    const records = revisions.map(({ row, cause }) => ({
      segment_id: row.segmentId,
      score: row.score,
      level: row.level,
      alarm: row.alarm,
      factors: row.factors,
      exposure_score: row.exposureScore,
      crash_estimate: row.crashEstimate,
      revision: row.revision,
      model_version: row.modelVersion,
      cause: cause === undefined ? null : cause,
    }));
    // One statement for both tables: the revisions are sent and parsed once.
    await manager.query(
      `WITH x AS MATERIALIZED (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(segment_id text, score float8, level text, alarm text, factors jsonb,
                exposure_score float8, crash_estimate jsonb, revision int, model_version text, cause jsonb)
       ), saved AS (
         INSERT INTO segment_risk (segment_id, score, level, alarm, factors, exposure_score, crash_estimate, revision, model_version, updated_at)
         SELECT x.segment_id, x.score, x.level, x.alarm, x.factors, x.exposure_score, x.crash_estimate, x.revision, x.model_version, now()
           FROM x
         ON CONFLICT (segment_id) DO UPDATE
           SET score = EXCLUDED.score, level = EXCLUDED.level, alarm = EXCLUDED.alarm, factors = EXCLUDED.factors,
               exposure_score = EXCLUDED.exposure_score, crash_estimate = EXCLUDED.crash_estimate,
               revision = EXCLUDED.revision, model_version = EXCLUDED.model_version, updated_at = now()
       )
       INSERT INTO risk_history (segment_id, revision, score, level, cause, model_version)
       SELECT x.segment_id, x.revision, x.score, x.level, x.cause, x.model_version FROM x
       ON CONFLICT (segment_id, revision) DO NOTHING`,
      [JSON.stringify(records)],
    );
  }

  /** Saves a new revision of a segment's risk and appends it to the segment's history. */
  async save(row: Omit<SegmentRiskRow, 'publishedLevel' | 'publishedRevision'>, cause: unknown, scope: TxScope): Promise<void> {
    await this.saveMany([{ row, cause }], scope);
  }

  async history(segmentId: string, limit: number): Promise<{ revision: number; score: number; level: RiskLevel; cause: unknown; at: string }[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT revision, score, level, cause, at FROM risk_history WHERE segment_id = $1 ORDER BY revision DESC LIMIT $2`,
      [segmentId, limit],
    );
    return rows.map((r) => ({
      revision: Number(r.revision),
      score: Number(r.score),
      level: r.level as RiskLevel,
      cause: r.cause,
      at: new Date(r.at as string).toISOString(),
    }));
  }

  /** Seeds rows for segments that have none, as already announced (an import is not a change). */
  async seedMissing(
    rows: readonly { segmentId: string; score: number; level: RiskLevel; alarm: Alarm; factors: RiskFactor[]; exposureScore: number; modelVersion: string }[],
    scope?: TxScope,
  ): Promise<number> {
    if (!rows.length) return 0;
    const manager = managerOf(this.dataSource, scope);
    let seeded = 0;
    for (let i = 0; i < rows.length; i += 1000) {
      const batch = rows.slice(i, i + 1000).map((r) => ({
        segment_id: r.segmentId,
        score: r.score,
        level: r.level,
        alarm: r.alarm,
        factors: r.factors,
        exposure_score: r.exposureScore,
        model_version: r.modelVersion,
      }));
      const result: unknown[] = await manager.query(
        `INSERT INTO segment_risk (segment_id, score, level, alarm, factors, exposure_score, model_version, revision, published_level, published_revision)
         SELECT x.segment_id, x.score, x.level, x.alarm, x.factors, x.exposure_score, x.model_version, 0, x.level, 0
           FROM jsonb_to_recordset($1::jsonb) AS x(segment_id text, score float8, level text, alarm text, factors jsonb, exposure_score float8, model_version text)
         ON CONFLICT (segment_id) DO NOTHING
         RETURNING segment_id`,
        [JSON.stringify(batch)],
      );
      seeded += result.length;
    }
    return seeded;
  }

  /** Records that a level was announced, unless a later revision was announced already. */
  async markPublished(segmentId: string, level: RiskLevel, revision: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE segment_risk SET published_level = $2, published_revision = $3
        WHERE segment_id = $1 AND (published_revision IS NULL OR published_revision < $3)`,
      [segmentId, level, revision],
    );
  }

  /** `markPublished` for many announcements in one statement. */
  async markPublishedMany(announced: readonly { segmentId: string; level: RiskLevel; revision: number }[]): Promise<void> {
    if (!announced.length) return;
    // The rows are locked in id order first, as every re-scoring transaction locks them: no deadlock.
    await this.dataSource.query(
      `WITH x AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(segment_id text, level text, revision int)),
            locked AS (SELECT segment_id FROM segment_risk WHERE segment_id IN (SELECT segment_id FROM x) ORDER BY segment_id FOR UPDATE)
       UPDATE segment_risk r SET published_level = x.level, published_revision = x.revision
         FROM x
        WHERE r.segment_id = x.segment_id AND r.segment_id IN (SELECT segment_id FROM locked)
          AND (r.published_revision IS NULL OR r.published_revision < x.revision)`,
      [JSON.stringify(announced.map((a) => ({ segment_id: a.segmentId, level: a.level, revision: a.revision })))],
    );
  }

  async top(limit: number): Promise<{ segmentId: string; score: number; level: RiskLevel }[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT segment_id, score, level FROM segment_risk ORDER BY score DESC, segment_id LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({ segmentId: String(r.segment_id), score: Number(r.score), level: r.level as RiskLevel }));
  }

  /** Every segment's current score, level, alarm and factors (for a region's report). */
  async allAssessed(): Promise<{ segmentId: string; score: number; level: RiskLevel; alarm: Alarm; factors: RiskFactor[]; modelVersion: string | null }[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(`SELECT segment_id, score, level, alarm, factors, model_version FROM segment_risk`);
    return rows.map((r) => ({
      segmentId: String(r.segment_id),
      score: Number(r.score),
      level: r.level as RiskLevel,
      alarm: r.alarm as Alarm,
      factors: r.factors as RiskFactor[],
      modelVersion: (r.model_version as string | null) ?? null,
    }));
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
    alarm: (r.alarm as Alarm) ?? 'green',
    factors: r.factors as RiskFactor[],
    exposureScore: r.exposure_score === null || r.exposure_score === undefined ? null : Number(r.exposure_score),
    crashEstimate: (r.crash_estimate as CrashEstimate | null) ?? null,
    revision: Number(r.revision),
    modelVersion: (r.model_version as string | null) ?? null,
    publishedLevel: (r.published_level as RiskLevel | null) ?? null,
    publishedRevision: r.published_revision === null ? null : Number(r.published_revision),
  };
}
