import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AccidentReport, CrashSeverity, crashSeverityOf } from '@roadloop/contracts';
import { TxScope, managerOf } from '@roadloop/persistence';
import { HazardPlacement, ReportClaim, toClaim } from '../hazards/hazard.repository';
import { PageCursor } from '../queries/query-schemas';
import { SearchArea, areaConditions, keysetConditions, sqlParams } from '../queries/sql-area';

export interface StoredAccident {
  id: string;
  externalId: string | null;
  occurredAt: string;
  lon: number;
  lat: number;
  segmentId: string | null;
  matchDistanceM: number | null;
  offsetM: number | null;
  deaths: number;
  seriousInjuries: number;
  slightInjuries: number;
  propertyDamageOnly: boolean;
  severity: CrashSeverity;
}

export interface AccidentSearch {
  area: SearchArea;
  from?: Date;
  to?: Date;
  limit: number;
  cursor?: PageCursor;
}

const COLUMNS = `id, external_id, occurred_at, ST_X(location) AS lon, ST_Y(location) AS lat, segment_id, match_distance_m,
  offset_m, deaths, serious_injuries, slight_injuries, property_damage_only`;

/** Owns `accident`. */
@Injectable()
export class AccidentRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The rows holding this accident id, this event id or this external id, each compared with the report. */
  async claims(report: AccidentReport, eventId: string, scope?: TxScope): Promise<ReportClaim[]> {
    const rows: Record<string, unknown>[] = await managerOf(this.dataSource, scope).query(
      `SELECT id, event_id, external_id, segment_id, match_distance_m, offset_m,
              (external_id, occurred_at, ST_X(location), ST_Y(location), deaths, serious_injuries, slight_injuries,
               property_damage_only, vehicles, weather, light, description)
                IS NOT DISTINCT FROM ($4::text, $5::timestamptz, $6::float8, $7::float8, $8::int, $9::int, $10::int,
                                      $11::boolean, $12::int, $13::text, $14::text, $15::text) AS same_content
         FROM accident WHERE id = $1 OR event_id = $2 OR external_id = $3
        ORDER BY id`,
      [
        report.accidentId,
        eventId,
        report.externalId ?? null,
        report.externalId ?? null,
        report.occurredAt,
        report.lon,
        report.lat,
        report.deaths,
        report.seriousInjuries,
        report.slightInjuries,
        report.propertyDamageOnly,
        report.vehicles,
        report.weather ?? null,
        report.light ?? null,
        report.description ?? null,
      ],
    );
    return rows.map(toClaim);
  }

  /**
   * Records a crash unless its accident, event or external id is taken (false: the caller reads the
   * claims again and judges what took it — a redelivery, or a reused id to dead-letter). Any conflict,
   * since another partition may write the same ids between the caller's read and this insert.
   */
  async insertIfNew(report: AccidentReport, placement: HazardPlacement, scope?: TxScope): Promise<boolean> {
    const manager = managerOf(this.dataSource, scope);
    const rows: unknown[] = await manager.query(
      `INSERT INTO accident (id, event_id, external_id, occurred_at, location, segment_id, match_distance_m, offset_m,
                             deaths, serious_injuries, slight_injuries, property_damage_only, vehicles, weather, light,
                             description, correlation_id)
       VALUES ($1, $2, $3, $4, ST_SetSRID(ST_MakePoint($5, $6), 4326), $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
       ON CONFLICT DO NOTHING
       RETURNING id`,
      [
        report.accidentId,
        placement.eventId,
        report.externalId ?? null,
        report.occurredAt,
        report.lon,
        report.lat,
        placement.segmentId,
        placement.matchDistanceM,
        placement.offsetM,
        report.deaths,
        report.seriousInjuries,
        report.slightInjuries,
        report.propertyDamageOnly,
        report.vehicles,
        report.weather ?? null,
        report.light ?? null,
        report.description ?? null,
        placement.correlationId,
      ],
    );
    return rows.length === 1;
  }

  async find(id: string, scope?: TxScope): Promise<StoredAccident | null> {
    const rows: Record<string, unknown>[] = await managerOf(this.dataSource, scope).query(
      `SELECT ${COLUMNS} FROM accident WHERE id = $1`,
      [id],
    );
    return rows.length ? toStored(rows[0]) : null;
  }

  async onSegmentSince(segmentId: string, since: Date, scope?: TxScope): Promise<StoredAccident[]> {
    const rows: Record<string, unknown>[] = await managerOf(this.dataSource, scope).query(
      `SELECT ${COLUMNS} FROM accident WHERE segment_id = $1 AND occurred_at >= $2 ORDER BY occurred_at, id`,
      [segmentId, since.toISOString()],
    );
    return rows.map(toStored);
  }

  /** Matched crashes since a time, per segment: all of them and the fatal-or-serious ones. */
  async countsBySegmentSince(since: Date): Promise<Map<string, { total: number; fsi: number }>> {
    const rows: { segment_id: string; n: string; fsi: string }[] = await this.dataSource.query(
      `SELECT segment_id, count(*) AS n, count(*) FILTER (WHERE deaths > 0 OR serious_injuries > 0) AS fsi
         FROM accident WHERE segment_id IS NOT NULL AND occurred_at >= $1 GROUP BY segment_id`,
      [since.toISOString()],
    );
    return new Map(rows.map((r) => [r.segment_id, { total: Number(r.n), fsi: Number(r.fsi) }]));
  }

  /** Crashes on any of these segments since a time (a reach's history), oldest first. */
  async onSegmentsSince(segmentIds: readonly string[], since: Date, scope?: TxScope): Promise<StoredAccident[]> {
    const rows: Record<string, unknown>[] = await managerOf(this.dataSource, scope).query(
      `SELECT ${COLUMNS} FROM accident WHERE segment_id = ANY($1::text[]) AND occurred_at >= $2 ORDER BY occurred_at, id`,
      [segmentIds, since.toISOString()],
    );
    return rows.map(toStored);
  }

  /** Crashes in an area and period, latest first, one page after the cursor (one row more than asked: there is a next page). */
  async search(q: AccidentSearch): Promise<StoredAccident[]> {
    const { values, p } = sqlParams();
    const where = ['true', ...areaConditions('location', q.area, p), ...keysetConditions('occurred_at', q.cursor, p)];
    if (q.from) where.push(`occurred_at >= ${p(q.from.toISOString())}`);
    if (q.to) where.push(`occurred_at <= ${p(q.to.toISOString())}`);
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM accident WHERE ${where.join(' AND ')} ORDER BY occurred_at DESC, id DESC LIMIT ${p(q.limit + 1)}`,
      values,
    );
    return rows.map(toStored);
  }

  async unmatched(limit: number): Promise<StoredAccident[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM accident WHERE segment_id IS NULL ORDER BY received_at DESC LIMIT $1`,
      [limit],
    );
    return rows.map(toStored);
  }
}

function toStored(r: Record<string, unknown>): StoredAccident {
  const counts = {
    deaths: Number(r.deaths),
    seriousInjuries: Number(r.serious_injuries),
    slightInjuries: Number(r.slight_injuries),
  };
  return {
    id: String(r.id),
    externalId: (r.external_id as string | null) ?? null,
    occurredAt: new Date(r.occurred_at as string).toISOString(),
    lon: Number(r.lon),
    lat: Number(r.lat),
    segmentId: (r.segment_id as string | null) ?? null,
    matchDistanceM: r.match_distance_m === null ? null : Number(r.match_distance_m),
    offsetM: r.offset_m === null ? null : Number(r.offset_m),
    ...counts,
    propertyDamageOnly: Boolean(r.property_damage_only),
    severity: crashSeverityOf(counts),
  };
}
