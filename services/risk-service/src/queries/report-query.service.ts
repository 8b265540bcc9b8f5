import { Injectable } from '@nestjs/common';
import { AccidentRepository, StoredAccident } from '../accidents/accident.repository';
import { HazardRepository, StoredHazard } from '../hazards/hazard.repository';
import { feature, featureCollection, point } from '@roadloop/http';
import { csvOf } from './formats';
import { AccidentsQuery, HazardsQuery, PolygonGeometry, UnmatchedQuery, encodeCursor } from './query-schemas';
import { SearchArea } from './sql-area';
import { SpatialQueryService } from './spatial-query.service';

export const HAZARD_CSV_COLUMNS = [
  'id', 'category', 'severity', 'status', 'segmentId', 'reportedAt', 'lon', 'lat', 'duplicateOf', 'resolvedAt', 'description',
] as const;
export const ACCIDENT_CSV_COLUMNS = [
  'id', 'occurredAt', 'lon', 'lat', 'segmentId', 'severity', 'casualties', 'deaths', 'seriousInjuries', 'slightInjuries', 'propertyDamageOnly', 'externalId',
] as const;
export const UNMATCHED_CSV_COLUMNS = ['kind', 'id', 'at', 'lon', 'lat', 'category', 'severity', 'status', 'casualties', 'description'] as const;

/** A page of a list: the body in the format asked for, and the cursor of the next page (also sent as `x-next-cursor`). */
export interface Page {
  body: unknown;
  nextCursor: string | null;
}

export function hazardProperties(h: StoredHazard) {
  return {
    id: h.id,
    category: h.category,
    severity: h.severity,
    status: h.status,
    segmentId: h.segmentId,
    reportedAt: h.reportedAt,
    description: h.description,
    duplicateOf: h.duplicateOf,
    resolvedAt: h.resolvedAt,
  };
}

export function accidentProperties(a: StoredAccident) {
  return {
    id: a.id,
    occurredAt: a.occurredAt,
    segmentId: a.segmentId,
    severity: a.severity,
    casualties: a.deaths + a.seriousInjuries + a.slightInjuries,
    deaths: a.deaths,
    seriousInjuries: a.seriousInjuries,
    slightInjuries: a.slightInjuries,
    propertyDamageOnly: a.propertyDamageOnly,
    externalId: a.externalId,
  };
}

/** Hazards and crashes on the map and in exports: by box or polygon, paged newest first, as GeoJSON Points or CSV. */
@Injectable()
export class ReportQueryService {
  constructor(
    private readonly hazards: HazardRepository,
    private readonly accidents: AccidentRepository,
    private readonly spatial: SpatialQueryService,
  ) {}

  async hazardsIn(q: Omit<HazardsQuery, 'bbox'>, area: SearchArea): Promise<Page> {
    const rows = await this.hazards.search({ area, status: q.status, category: q.category, from: q.from, to: q.to, limit: q.limit, cursor: q.cursor });
    return paged(rows, q.limit, (h) => h.reportedAt, (page, page_) =>
      q.format === 'csv'
        ? csvOf(HAZARD_CSV_COLUMNS, page.map((h) => ({ ...hazardProperties(h), lon: h.lon, lat: h.lat })))
        : featureCollection(page.map((h) => feature(h.id, point(h.lon, h.lat), hazardProperties(h))), { page: page_ }),
    );
  }

  async hazardsWithin(polygon: PolygonGeometry, q: Omit<HazardsQuery, 'bbox'>): Promise<Page> {
    await this.spatial.assertPolygon(polygon);
    return this.hazardsIn(q, { polygon });
  }

  async accidentsIn(q: AccidentsQuery): Promise<Page> {
    const rows = await this.accidents.search({ area: q.bbox ? { bbox: q.bbox } : {}, from: q.from, to: q.to, limit: q.limit, cursor: q.cursor });
    return paged(rows, q.limit, (a) => a.occurredAt, (page, page_) =>
      q.format === 'csv'
        ? csvOf(ACCIDENT_CSV_COLUMNS, page.map((a) => ({ ...accidentProperties(a), lon: a.lon, lat: a.lat })))
        : featureCollection(page.map((a) => feature(a.id, point(a.lon, a.lat), accidentProperties(a))), { page: page_ }),
    );
  }

  /** Reports that matched no road within the tolerance: kept, and listed for dispatchers. */
  async unmatched(q: UnmatchedQuery) {
    const [hazards, accidents] = await Promise.all([this.hazards.unmatched(q.limit), this.accidents.unmatched(q.limit)]);
    if (q.format === 'json') return { hazards, accidents };
    const rows = [
      ...hazards.map((h) => ({ kind: 'hazard' as const, lon: h.lon, lat: h.lat, at: h.reportedAt, properties: hazardProperties(h) })),
      ...accidents.map((a) => ({ kind: 'accident' as const, lon: a.lon, lat: a.lat, at: a.occurredAt, properties: accidentProperties(a) })),
    ];
    if (q.format === 'geojson') {
      return featureCollection(rows.map((r) => feature(r.properties.id, point(r.lon, r.lat), { kind: r.kind, ...r.properties })));
    }
    return csvOf(
      UNMATCHED_CSV_COLUMNS,
      rows.map(({ kind, at, lon, lat, properties: p }) => ({
        kind, id: p.id, at, lon, lat, severity: p.severity,
        category: 'category' in p ? p.category : null,
        status: 'status' in p ? p.status : null,
        casualties: 'casualties' in p ? p.casualties : null,
        description: 'description' in p ? p.description : null,
      })),
    );
  }
}

/** Cuts the extra row a search returns into the next page's cursor. */
function paged<T extends { id: string }>(
  rows: T[],
  limit: number,
  timeOf: (row: T) => string,
  render: (page: T[], info: { limit: number; returned: number; nextCursor: string | null }) => unknown,
): Page {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const nextCursor = rows.length > limit && last ? encodeCursor({ at: timeOf(last), id: last.id }) : null;
  return { body: render(page, { limit, returned: page.length, nextCursor }), nextCursor };
}
