import Flatbush from 'flatbush';
import { segmentsIntersect } from '@roadloop/geo';
import type { Bbox } from '@roadloop/http';

/** A segment's static properties: what an import sets, never a live score. */
export interface SegmentAttributes {
  id: string;
  osmWayId: number;
  roadClass: string;
  name: string | null;
  lengthM: number;
  exposureScore: number;
  exposureLevel: string;
  waterSide: string | null;
  cliffSide: string | null;
}

/** A segment's static part as the map serves it. */
export interface StaticSegment extends SegmentAttributes {
  /** The geometry as GeoJSON text (a LineString). */
  geometryJson: string;
  /** The sides whose guardrail is unknown unless recorded (see `sidesAtStake`). */
  sidesAtStake?: readonly string[];
}

/** What a query reads of a segment beside its static part; score, level and alarm are null until it is first scored. */
export interface LiveRisk {
  score: number | null;
  level: string | null;
  alarm: string | null;
  /** The sides whose guardrail is known (recorded, or a verified guardrail). */
  knownSides?: readonly string[];
}

/** The sides at stake whose guardrail is still unknown: what the map draws as an unknown roadside. */
export const unknownRoadside = (atStake: readonly string[] | undefined, known: readonly string[] | undefined): string[] =>
  (atStake ?? []).filter((side) => !(known ?? []).includes(side));

export interface FeatureFilters {
  level?: string;
  roadClass?: string;
  waterSide?: boolean;
  cliffSide?: boolean;
  limit: number;
  offset: number;
}

/**
 * The whole network's static features, pre-serialised, behind a spatial index: a bbox query is an
 * index search, an exact box test, and string concatenation (no per-request geometry encoding).
 * Results are in segment id order (byte-wise, as PostgreSQL's C collation sorts them).
 */
export class SegmentFeatureIndex {
  private readonly segments: StaticSegment[];
  private readonly coordinates: Float64Array[];
  /** Each feature up to (not including) the live properties and the closing braces. */
  private readonly prefixes: string[];
  private readonly index: Flatbush | null;

  constructor(rows: readonly StaticSegment[]) {
    this.segments = [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    this.coordinates = this.segments.map((s) => Float64Array.from((JSON.parse(s.geometryJson) as { coordinates: number[][] }).coordinates.flat()));
    this.prefixes = this.segments.map((s) => {
      const { geometryJson, sidesAtStake: _atStake, ...props } = s;
      const properties = JSON.stringify(props);
      return `{"type":"Feature","id":${JSON.stringify(s.id)},"geometry":${geometryJson},"properties":${properties.slice(0, -1)}`;
    });
    if (this.segments.length === 0) {
      this.index = null;
      return;
    }
    this.index = new Flatbush(this.segments.length);
    for (const c of this.coordinates) {
      let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
      for (let i = 0; i < c.length; i += 2) {
        minX = Math.min(minX, c[i]);
        maxX = Math.max(maxX, c[i]);
        minY = Math.min(minY, c[i + 1]);
        maxY = Math.max(maxY, c[i + 1]);
      }
      this.index.add(minX, minY, maxX, maxY);
    }
    this.index.finish();
  }

  get size(): number {
    return this.segments.length;
  }

  /** Positions (in id order) of the segments touching the box that pass the static filters. */
  candidates(bbox: Bbox, f: Pick<FeatureFilters, 'roadClass' | 'waterSide' | 'cliffSide'>): number[] {
    if (!this.index) return [];
    const [minX, minY, maxX, maxY] = bbox;
    return this.index
      .search(minX, minY, maxX, maxY, (i) => {
        const s = this.segments[i];
        if (f.roadClass !== undefined && s.roadClass !== f.roadClass) return false;
        if (f.waterSide !== undefined && (s.waterSide !== null) !== f.waterSide) return false;
        if (f.cliffSide !== undefined && (s.cliffSide !== null) !== f.cliffSide) return false;
        return polylineTouchesBox(this.coordinates[i], bbox);
      })
      .sort((a, b) => a - b);
  }

  idOf(position: number): string {
    return this.segments[position].id;
  }

  /** The level the map colours a segment by: its live level, else its exposure level. */
  levelOf(position: number, live: LiveRisk | undefined): string {
    return live?.level ?? this.segments[position].exposureLevel;
  }

  /**
   * One feature as JSON text, with its live score, level and alarm (null when never scored) and the
   * sides whose guardrail is unknown where one would matter (`roadsideUnknown`).
   */
  featureJson(position: number, live: LiveRisk | undefined): string {
    const unknown = JSON.stringify(unknownRoadside(this.segments[position].sidesAtStake, live?.knownSides));
    const [score, level, alarm] = [live?.score ?? null, live?.level ?? null, live?.alarm ?? null].map((v) => JSON.stringify(v));
    return `${this.prefixes[position]},"score":${score},"level":${level},"alarm":${alarm},"roadsideUnknown":${unknown}}}`;
  }
}

/**
 * True when a polyline (flat lon/lat pairs) touches the closed box: a vertex inside it, or an edge
 * crossing one of its sides (an edge that enters the box without a vertex in it must cross a side).
 */
export function polylineTouchesBox(c: ArrayLike<number>, [minX, minY, maxX, maxY]: Bbox): boolean {
  for (let i = 0; i < c.length; i += 2) if (c[i] >= minX && c[i] <= maxX && c[i + 1] >= minY && c[i + 1] <= maxY) return true;
  const sides = [
    [minX, minY, maxX, minY],
    [maxX, minY, maxX, maxY],
    [maxX, maxY, minX, maxY],
    [minX, maxY, minX, minY],
  ] as const;
  for (let i = 2; i < c.length; i += 2) {
    for (const [x0, y0, x1, y1] of sides) if (segmentsIntersect(c[i - 2], c[i - 1], c[i], c[i + 1], x0, y0, x1, y1)) return true;
  }
  return false;
}
