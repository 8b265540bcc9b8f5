import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HazardCategory, HazardReport, HazardSeverity } from '@roadloop/contracts';
import { TxScope, managerOf } from '@roadloop/persistence';

export interface StoredHazard {
  id: string;
  category: HazardCategory;
  severity: HazardSeverity;
  segmentId: string | null;
  matchDistanceM: number | null;
  status: 'open' | 'resolved' | 'duplicate';
}

/** Owns `hazard`. */
@Injectable()
export class HazardRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Records a report once: a second delivery of the same hazard changes nothing. */
  async insertIfNew(
    report: HazardReport,
    meta: { eventId: string; correlationId: string; segmentId: string | null; matchDistanceM: number | null },
    scope?: TxScope,
  ): Promise<boolean> {
    const rows: unknown[] = await managerOf(this.dataSource, scope).query(
      `INSERT INTO hazard (id, event_id, category, severity, location, segment_id, match_distance_m, reported_at,
                           description, photo_urls, reporter, correlation_id)
       VALUES ($1, $2, $3, $4, ST_SetSRID(ST_MakePoint($5, $6), 4326), $7, $8, $9, $10, $11, $12, $13)
       ON CONFLICT DO NOTHING
       RETURNING id`,
      [
        report.hazardId,
        meta.eventId,
        report.category,
        report.severity,
        report.lon,
        report.lat,
        meta.segmentId,
        meta.matchDistanceM,
        report.reportedAt,
        report.description ?? null,
        report.photoUrls ? JSON.stringify(report.photoUrls) : null,
        report.reporter ? JSON.stringify(report.reporter) : null,
        meta.correlationId,
      ],
    );
    return rows.length === 1;
  }

  async find(id: string, scope?: TxScope): Promise<StoredHazard | null> {
    const rows: Record<string, unknown>[] = await managerOf(this.dataSource, scope).query(
      `SELECT id, category, severity, segment_id, match_distance_m, status FROM hazard WHERE id = $1`,
      [id],
    );
    return rows.length ? toStored(rows[0]) : null;
  }

  async openOnSegment(segmentId: string, scope?: TxScope): Promise<StoredHazard[]> {
    const rows: Record<string, unknown>[] = await managerOf(this.dataSource, scope).query(
      `SELECT id, category, severity, segment_id, match_distance_m, status
         FROM hazard WHERE segment_id = $1 AND status = 'open' ORDER BY id`,
      [segmentId],
    );
    return rows.map(toStored);
  }
}

function toStored(r: Record<string, unknown>): StoredHazard {
  return {
    id: String(r.id),
    category: r.category as HazardCategory,
    severity: r.severity as HazardSeverity,
    segmentId: (r.segment_id as string | null) ?? null,
    matchDistanceM: r.match_distance_m === null ? null : Number(r.match_distance_m),
    status: r.status as StoredHazard['status'],
  };
}
