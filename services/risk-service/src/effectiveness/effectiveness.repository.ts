import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Geometry } from 'geojson';
import { sqlParams } from '../queries/sql-area';

export interface VerifiedSiteRow {
  taskId: string;
  segmentId: string;
  countermeasure: string;
  verifiedAt: string;
  fixFailed: boolean;
  jurisdictionId: string | null;
  lengthM: number;
  roadClass: string;
  /** The engine's attributes, from which the risk model predicts the site's crashes. */
  attributes: Record<string, unknown>;
  /** Length of the after period (now − verification, capped), and of the before period, in days. */
  windowDays: number;
  beforeCrashes: number;
  afterCrashes: number;
  geometry: Geometry | null;
}

export interface VerifiedSiteFilters {
  countermeasure?: readonly string[];
  jurisdiction?: string;
  verifiedFrom?: Date;
  verifiedTo?: Date;
}

/**
 * Every task ever verified (also those whose fix later failed: leaving them out would flatter the
 * countermeasure), with the crashes on its segment in equal windows before and after verification.
 */
@Injectable()
export class EffectivenessRepository {
  constructor(private readonly dataSource: DataSource) {}

  async verifiedSites(filters: VerifiedSiteFilters, now: Date, maxWindowDays: number, withGeometry: boolean): Promise<VerifiedSiteRow[]> {
    const { values, p } = sqlParams();
    const at = `${p(now.toISOString())}::timestamptz`;
    const where = ['t.verified_at IS NOT NULL', `t.verified_at <= ${at}`];
    if (filters.countermeasure?.length) where.push(`t.countermeasure = ANY(${p(filters.countermeasure)}::text[])`);
    if (filters.jurisdiction !== undefined) where.push(`j.jurisdiction_id = ${p(filters.jurisdiction)}`);
    if (filters.verifiedFrom) where.push(`t.verified_at >= ${p(filters.verifiedFrom.toISOString())}`);
    if (filters.verifiedTo) where.push(`t.verified_at <= ${p(filters.verifiedTo.toISOString())}`);
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `WITH site AS (
         SELECT t.task_id, t.segment_id, t.countermeasure, t.verified_at, t.fix_failed, j.jurisdiction_id, s.length_m, s.road_class, s.attributes,
                ${withGeometry ? 'ST_AsGeoJSON(s.geom, 7)' : 'NULL'} AS g,
                LEAST(extract(epoch FROM (${at} - t.verified_at)) / 86400.0, ${p(maxWindowDays)}::float8) AS window_days
           FROM task_state t
           JOIN road_segment s ON s.id = t.segment_id
           LEFT JOIN segment_jurisdiction j ON j.segment_id = t.segment_id
          WHERE ${where.join(' AND ')})
       SELECT site.*,
              (SELECT count(*) FROM accident a
                WHERE a.segment_id = site.segment_id AND a.occurred_at < site.verified_at
                  AND a.occurred_at >= site.verified_at - make_interval(secs => site.window_days * 86400)) AS before_crashes,
              (SELECT count(*) FROM accident a
                WHERE a.segment_id = site.segment_id AND a.occurred_at >= site.verified_at AND a.occurred_at <= ${at}
                  AND a.occurred_at < site.verified_at + make_interval(secs => site.window_days * 86400)) AS after_crashes
         FROM site
        ORDER BY site.verified_at, site.task_id`,
      values,
    );
    return rows.map((r) => ({
      taskId: String(r.task_id),
      segmentId: String(r.segment_id),
      countermeasure: String(r.countermeasure),
      verifiedAt: new Date(r.verified_at as string).toISOString(),
      fixFailed: Boolean(r.fix_failed),
      jurisdictionId: (r.jurisdiction_id as string | null) ?? null,
      lengthM: Number(r.length_m),
      roadClass: String(r.road_class),
      attributes: (r.attributes as Record<string, unknown>) ?? {},
      windowDays: Number(r.window_days),
      beforeCrashes: Number(r.before_crashes),
      afterCrashes: Number(r.after_crashes),
      geometry: r.g ? (JSON.parse(String(r.g)) as Geometry) : null,
    }));
  }
}
