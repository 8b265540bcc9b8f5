import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { schemaName } from '@roadloop/config';
import type { LineString } from 'geojson';
import type { RiskLevel } from '@roadloop/contracts';

/** A segment's stored risk, as two schemas are compared. */
export interface StoredRisk {
  segmentId: string;
  score: number;
  level: RiskLevel;
  alarm: string;
  modelVersion: string | null;
}

/** A schema name checked as an SQL identifier, quoted. */
function quoted(schema: string): string {
  return `"${schemaName.parse(schema)}"`;
}

/**
 * Reads across schemas of the risk service's database for a rebuild: the live schema's segments
 * (not events: the import's output), and any schema's state for a comparison. Writes nothing but
 * dropping a scratch schema asked for by name.
 */
@Injectable()
export class RebuildRepository {
  constructor(private readonly dataSource: DataSource) {}

  async schemaExists(schema: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [schemaName.parse(schema)]);
    return rows.length > 0;
  }

  /** Whether a schema holds exactly the risk service's tables (a rebuild may replace it; another service's may not be). */
  async holdsOnlyRiskTables(schema: string): Promise<boolean> {
    const rows: { table_name: string }[] = await this.dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1`,
      [schemaName.parse(schema)],
    );
    const live: { table_name: string }[] = await this.dataSource.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`);
    const risk = new Set(live.map((r) => r.table_name));
    return rows.every((r) => risk.has(r.table_name)) && (rows.length === 0 || rows.some((r) => r.table_name === 'segment_risk'));
  }

  async dropSchema(schema: string): Promise<void> {
    await this.dataSource.query(`DROP SCHEMA IF EXISTS ${quoted(schema)} CASCADE`);
  }

  /** A schema's segments as the import's GeoJSON features (the engine's properties back at the top level). */
  async segmentFeatures(schema: string): Promise<unknown[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT id, osm_way_id, piece_index, road_class, name, length_m, ST_AsGeoJSON(geom, 15)::jsonb AS geometry,
              attributes, exposure_score, exposure_level, exposure_factors
         FROM ${quoted(schema)}.road_segment ORDER BY id`,
    );
    return rows.map((r) => ({
      type: 'Feature',
      geometry: r.geometry as LineString,
      properties: {
        ...(r.attributes as Record<string, unknown>),
        id: r.id,
        osmWayId: Number(r.osm_way_id),
        index: r.piece_index,
        lengthM: r.length_m,
        roadClass: r.road_class,
        name: r.name,
        exposureScore: r.exposure_score,
        exposureLevel: r.exposure_level,
        factors: r.exposure_factors,
      },
    }));
  }

  /** Every segment's risk in a schema, riskiest first (equal scores by segment id descending, as the ranking orders them). */
  async risks(schema: string): Promise<StoredRisk[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT segment_id, score, level, alarm, model_version FROM ${quoted(schema)}.segment_risk
        ORDER BY score DESC, segment_id COLLATE "C" DESC`,
    );
    return rows.map((r) => ({
      segmentId: r.segment_id as string,
      score: Number(r.score),
      level: r.level as RiskLevel,
      alarm: r.alarm as string,
      modelVersion: (r.model_version as string | null) ?? null,
    }));
  }
}
