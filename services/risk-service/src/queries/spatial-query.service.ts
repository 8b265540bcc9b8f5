import { Injectable } from '@nestjs/common';
import type { Geometry } from 'geojson';
import { AppError } from '@roadloop/core';
import { Bbox, feature, featureCollection, toCsv } from '@roadloop/http';
import { csvOf } from './formats';
import { HotspotWindow, rankWindows, slidingWindows } from './hotspot-windows';
import { HotspotsQuery, MAX_AREA_SQ_DEG, PolygonGeometry, SegmentFilters } from './query-schemas';
import { SegmentFeatureCache } from './segment-feature.cache';
import { LiveRisk, SegmentFeatureIndex } from './segment-features';
import { SegmentRow, SpatialQueryRepository } from './spatial-query.repository';

export class InvalidGeometryError extends AppError {
  constructor(message: string) {
    super('invalid', 'INVALID_GEOMETRY', `invalid geometry: ${message}`, [{ field: 'geometry', message }]);
  }
}

export const SEGMENT_CSV_COLUMNS = [
  'id', 'osmWayId', 'roadClass', 'name', 'lengthM', 'exposureScore', 'exposureLevel', 'score', 'level', 'alarm', 'waterSide', 'cliffSide', 'wkt',
] as const;
export const HOTSPOT_CSV_COLUMNS = [
  'rank', 'osmWayId', 'fromM', 'toM', 'segmentIds', 'observed', 'observedEpdo', 'predicted', 'expected', 'excess', 'excessEpdo', 'wkt',
] as const;

const DAY_MS = 86_400_000;

/** A response body that is JSON text already: the controller sends it as it is. */
export class RawJson {
  constructor(readonly text: string) {}
}

/** Map and list queries: segments in a box or polygon, sliding-window hotspots, as GeoJSON or CSV. */
@Injectable()
export class SpatialQueryService {
  constructor(
    private readonly repo: SpatialQueryRepository,
    private readonly features: SegmentFeatureCache,
  ) {}

  /**
   * Segments in a box. Full-resolution GeoJSON (what the map asks for most) is served from the
   * in-memory feature index as ready-made JSON text; CSV and simplified geometry come from PostGIS.
   */
  async segmentsInBbox(q: SegmentFilters & { bbox: [number, number, number, number] }, format: 'geojson' | 'csv') {
    const index = this.features.index;
    if (format === 'geojson' && !q.simplify && index) return this.featuresFromIndex(index, q);
    const rows = await this.repo.segments(q, { bbox: q.bbox }, format === 'csv');
    return format === 'csv' ? csvOf(SEGMENT_CSV_COLUMNS, rows) : segmentFeatures(rows, q);
  }

  private async featuresFromIndex(index: SegmentFeatureIndex, q: SegmentFilters & { bbox: Bbox }): Promise<RawJson> {
    let positions = index.candidates(q.bbox, q);
    let live: Map<string, LiveRisk>;
    if (q.level) {
      live = await this.repo.liveRisk(positions.map((p) => index.idOf(p)), index.size);
      positions = positions.filter((p) => index.levelOf(p, live.get(index.idOf(p))) === q.level);
      positions = positions.slice(q.offset, q.offset + q.limit);
    } else {
      positions = positions.slice(q.offset, q.offset + q.limit);
      live = await this.repo.liveRisk(positions.map((p) => index.idOf(p)), index.size);
    }
    const page = JSON.stringify({ limit: q.limit, offset: q.offset, returned: positions.length });
    const features = positions.map((p) => index.featureJson(p, live.get(index.idOf(p)))).join(',');
    return new RawJson(`{"type":"FeatureCollection","page":${page},"features":[${features}]}`);
  }

  async segmentsInPolygon(polygon: PolygonGeometry, q: SegmentFilters, format: 'geojson' | 'csv' = 'geojson') {
    await this.assertPolygon(polygon);
    const rows = await this.repo.segments(q, { polygon }, format === 'csv');
    return format === 'csv' ? csvOf(SEGMENT_CSV_COLUMNS, rows) : segmentFeatures(rows, q);
  }

  /** A valid polygon (as PostGIS sees it) no larger than the largest area served at once, or a 400 naming `geometry`. */
  async assertPolygon(polygon: PolygonGeometry): Promise<void> {
    const check = await this.repo.checkPolygon(polygon);
    if (!check.valid) throw new InvalidGeometryError(check.reason);
    if (check.area > MAX_AREA_SQ_DEG) throw new InvalidGeometryError(`the polygon covers more than ${MAX_AREA_SQ_DEG} square degree(s)`);
  }

  async hotspots(q: HotspotsQuery, now = new Date()) {
    const since = new Date(now.getTime() - q.years * 365.25 * DAY_MS);
    const ways = await this.repo.waysWithCrashes(since);
    const windows: (HotspotWindow & { osmWayId: number })[] = [];
    for (const [osmWayId, pieces] of ways) {
      for (const w of slidingWindows(pieces, q.windowM, q.stepM, q.years)) windows.push({ osmWayId, ...w });
    }
    const top = rankWindows(windows).slice(0, q.limit);
    const csv = q.format === 'csv';
    const lines = await this.repo.windowLines(top.map((w) => w.segmentIds), csv);
    if (csv) {
      return toCsv(
        HOTSPOT_CSV_COLUMNS,
        top.map((w, i) => [i + 1, w.osmWayId, w.fromM, w.toM, w.segmentIds, w.observed, w.observedEpdo, w.predicted, w.expected, w.excess, w.excessEpdo, lines[i]]),
      );
    }
    return featureCollection(
      top.map((w, i) => feature(`${w.osmWayId}:${w.fromM}-${w.toM}`, lines[i] as Geometry | null, { rank: i + 1, ...w })),
      { parameters: { windowM: q.windowM, stepM: q.stepM, years: q.years, since: since.toISOString() } },
    );
  }
}

function segmentFeatures(rows: SegmentRow[], q: { limit: number; offset: number }) {
  return featureCollection(rows.map(({ geometry, wkt: _wkt, ...props }) => feature(props.id, geometry, props)), {
    page: { limit: q.limit, offset: q.offset, returned: rows.length },
  });
}
