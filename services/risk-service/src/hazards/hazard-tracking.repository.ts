import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { COUNTERMEASURE_BY_HAZARD, HazardCategory, HazardSeverity } from '@roadloop/contracts';
import { TrackedHazardRow } from './hazard-tracking';

const iso = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(v as string).toISOString());

/**
 * Reads one hazard with what its reporter follows: its road, the segment's jurisdiction and the
 * task that fixes it. The task is the one that resolved it, else the newest task still open of its
 * category's countermeasure on its segment (or on its original's, for a duplicate): the task whose
 * verification resolves it (the rule of `HazardRepository.resolveCoveredBy`).
 */
@Injectable()
export class HazardTrackingRepository {
  constructor(private readonly dataSource: DataSource) {}

  async find(id: string): Promise<{ row: TrackedHazardRow; duplicate: boolean } | null> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT h.id, h.category, h.severity, ST_X(h.location) AS lon, ST_Y(h.location) AS lat, h.description, h.photo_urls,
              h.status, h.reported_at, h.assessed_at, h.resolved_at, h.segment_id, h.duplicate_of IS NOT NULL AS duplicate,
              s.name AS road_name, s.road_class, j.jurisdiction_name,
              t.status AS task_status, t.countermeasure AS task_countermeasure, t.updated_at AS task_updated_at, t.verified_at AS task_verified_at
         FROM hazard h
         LEFT JOIN hazard o ON o.id = h.duplicate_of
         LEFT JOIN road_segment s ON s.id = h.segment_id
         LEFT JOIN segment_jurisdiction j ON j.segment_id = h.segment_id
         LEFT JOIN LATERAL (
              SELECT ts.* FROM task_state ts
               WHERE ts.task_id = h.resolved_by_task
                  OR (h.resolved_by_task IS NULL AND ts.segment_id = COALESCE(o.segment_id, h.segment_id)
                      AND ts.countermeasure = ($2::jsonb ->> h.category)
                      AND ts.status NOT IN ('verified', 'cancelled', 'duplicate'))
               ORDER BY ts.task_id = h.resolved_by_task DESC NULLS LAST, ts.updated_at DESC, ts.task_id
               LIMIT 1) t ON true
        WHERE h.id = $1`,
      [id, JSON.stringify(COUNTERMEASURE_BY_HAZARD)],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      duplicate: r.duplicate === true,
      row: {
        id: String(r.id),
        category: r.category as HazardCategory,
        severity: r.severity as HazardSeverity,
        lon: Number(r.lon),
        lat: Number(r.lat),
        description: (r.description as string | null) ?? null,
        photoUrls: Array.isArray(r.photo_urls) ? (r.photo_urls as string[]) : [],
        status: r.status as TrackedHazardRow['status'],
        reportedAt: iso(r.reported_at)!,
        assessed: r.assessed_at !== null && r.assessed_at !== undefined,
        resolvedAt: iso(r.resolved_at),
        segmentId: (r.segment_id as string | null) ?? null,
        roadName: (r.road_name as string | null) ?? null,
        roadClass: (r.road_class as string | null) ?? null,
        jurisdictionName: (r.jurisdiction_name as string | null) ?? null,
        task: r.task_status
          ? { countermeasure: String(r.task_countermeasure), status: String(r.task_status), updatedAt: iso(r.task_updated_at)!, verifiedAt: iso(r.task_verified_at) }
          : null,
      },
    };
  }
}
