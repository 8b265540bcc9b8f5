import type { Feature, FeatureCollection, LineString } from 'geojson';
import { MatchErrorCode, MatchException } from './match.exception';

/** A road segment as plain data: an id and its polyline as [lon, lat] vertices (WGS84 degrees). */
export interface SegmentInput {
  readonly id: string;
  readonly coordinates: readonly (readonly [number, number])[];
}

/**
 * Segments in flat typed arrays, so a million of them cost a few tens of megabytes instead of
 * millions of small objects. Segment s owns vertices vertexStart[s] … vertexStart[s + 1] − 1;
 * vertex v is (coords[2v], coords[2v + 1]) = (lon, lat).
 */
export interface PackedSegments {
  readonly ids: readonly string[];
  readonly vertexStart: Uint32Array;
  readonly coords: Float64Array;
}

/** Anything the matcher can be built from. */
export type SegmentSource =
  | PackedSegments
  | FeatureCollection<LineString>
  | readonly Feature<LineString>[]
  | readonly SegmentInput[];

export function isPackedSegments(source: unknown): source is PackedSegments {
  const s = source as PackedSegments;
  return s !== null && typeof s === 'object' && s.vertexStart instanceof Uint32Array && s.coords instanceof Float64Array;
}

function invalid(index: number, message: string): MatchException {
  return new MatchException(MatchErrorCode.InvalidSegment, `segment ${index}: ${message}`, { featureIndex: index });
}

function isValidLonLat(lon: unknown, lat: unknown): boolean {
  return (
    typeof lon === 'number' && typeof lat === 'number' && lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90
  );
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value) : typeof value;
}

/** The id of a feature: `properties.id`, else the GeoJSON `id` member; numbers become strings. */
function featureId(feature: Record<string, unknown>, index: number): string {
  const props = feature.properties;
  const fromProps =
    props !== null && typeof props === 'object' && !Array.isArray(props) ? (props as Record<string, unknown>).id : undefined;
  const raw = fromProps !== undefined ? fromProps : feature.id;
  if (typeof raw === 'string' && raw.length > 0) return raw;
  if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
  throw invalid(index, `needs a non-empty string or finite number id in properties.id or id, got ${describeValue(raw)}`);
}

/**
 * Checks one parsed GeoJSON value as a segment feature and returns its id and vertices (which are
 * the feature's own arrays, not copies: the caller must not keep them past packing).
 */
export function readSegmentFeature(value: unknown, index: number): { id: string; coordinates: readonly unknown[] } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid(index, `expected a GeoJSON Feature object, got ${describeValue(value)}`);
  }
  const feature = value as Record<string, unknown>;
  if (feature.type !== 'Feature') throw invalid(index, `expected "type": "Feature", got ${describeValue(feature.type)}`);
  const geometry = feature.geometry as Record<string, unknown> | null | undefined;
  if (geometry === null || typeof geometry !== 'object' || Array.isArray(geometry)) {
    throw invalid(index, `geometry must be a LineString object, got ${describeValue(geometry)}`);
  }
  if (geometry.type !== 'LineString') throw invalid(index, `geometry must be a LineString, got ${describeValue(geometry.type)}`);
  const coordinates = geometry.coordinates;
  if (!Array.isArray(coordinates)) throw invalid(index, 'LineString coordinates must be an array');
  return { id: featureId(feature, index), coordinates };
}

/**
 * Accumulates validated segments into growable typed arrays. Used by `packSegments` and by the
 * streaming GeoJSON loader, so both enforce the same rules.
 */
export class SegmentPackBuilder {
  private readonly ids: string[] = [];
  private readonly seen = new Map<string, number>();
  private vertexStart = new Uint32Array(1024);
  private coords = new Float64Array(4096);
  private vertexCount = 0;

  get segmentCount(): number {
    return this.ids.length;
  }

  /** Appends a segment; `index` names it in errors (feature index in the source). */
  add(id: unknown, coordinates: readonly unknown[], index: number): void {
    if (typeof id !== 'string' || id.length === 0) throw invalid(index, `id must be a non-empty string, got ${describeValue(id)}`);
    if (!Array.isArray(coordinates)) throw invalid(index, 'coordinates must be an array of [lon, lat] positions');
    if (coordinates.length < 2) throw invalid(index, `a segment needs at least 2 vertices, got ${coordinates.length}`);
    const first = this.seen.get(id);
    if (first !== undefined) {
      throw new MatchException(
        MatchErrorCode.DuplicateSegmentId,
        `segment ${index}: id ${JSON.stringify(id)} is already used by segment ${first}`,
        { featureIndex: index },
      );
    }
    this.reserve(coordinates.length);
    let w = this.vertexCount * 2;
    for (let i = 0; i < coordinates.length; i++) {
      const position = coordinates[i] as unknown;
      const lon = Array.isArray(position) ? (position[0] as unknown) : undefined;
      const lat = Array.isArray(position) ? (position[1] as unknown) : undefined;
      if (!isValidLonLat(lon, lat)) {
        throw invalid(index, `vertex ${i} must be [lon, lat] with lon in [-180, 180] and lat in [-90, 90], got ${JSON.stringify(position)}`);
      }
      this.coords[w++] = lon as number;
      this.coords[w++] = lat as number;
    }
    this.seen.set(id, index);
    this.ids.push(id);
    this.vertexCount += coordinates.length;
    this.vertexStart[this.ids.length] = this.vertexCount;
  }

  /** Whether a segment with this id has been added. */
  has(id: string): boolean {
    return this.seen.has(id);
  }

  /**
   * `add` for a segment its caller has already checked (a new non-empty id, at least 2 vertices,
   * each in range): `vertices` [lon, lat] pairs from `flat`.
   */
  addChecked(id: string, flat: Float64Array, vertices: number, index: number): void {
    this.reserve(vertices);
    const coords = this.coords;
    for (let k = 0, w = this.vertexCount * 2; k < vertices * 2; k++, w++) coords[w] = flat[k];
    this.seen.set(id, index);
    this.ids.push(id);
    this.vertexCount += vertices;
    this.vertexStart[this.ids.length] = this.vertexCount;
  }

  /** The packed segments, trimmed to size. The builder must not be used afterwards. */
  finish(): PackedSegments {
    const n = this.ids.length;
    return {
      ids: this.ids,
      vertexStart: this.vertexStart.slice(0, n + 1),
      coords: this.coords.slice(0, this.vertexCount * 2),
    };
  }

  private reserve(vertices: number): void {
    const n = this.ids.length;
    if (n + 2 > this.vertexStart.length) {
      const grown = new Uint32Array(this.vertexStart.length * 2);
      grown.set(this.vertexStart);
      this.vertexStart = grown;
    }
    const needed = (this.vertexCount + vertices) * 2;
    if (needed > this.coords.length) {
      const grown = new Float64Array(Math.max(needed, this.coords.length * 2));
      grown.set(this.coords);
      this.coords = grown;
    }
  }
}

/** Validates segments given as GeoJSON or plain objects and packs them into typed arrays (copies). */
export function packSegments(source: SegmentSource): PackedSegments {
  if (isPackedSegments(source)) return validatePackedSegments(source);
  const items: readonly unknown[] | undefined = Array.isArray(source)
    ? source
    : (source as FeatureCollection).type === 'FeatureCollection' && Array.isArray((source as FeatureCollection).features)
      ? (source as FeatureCollection).features
      : undefined;
  if (items === undefined) {
    throw new MatchException(
      MatchErrorCode.InvalidGeoJson,
      'segments must be a FeatureCollection, an array of LineString features, an array of { id, coordinates } or packed segments',
    );
  }
  const builder = new SegmentPackBuilder();
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as Record<string, unknown> | null;
    if (item !== null && typeof item === 'object' && item.type === undefined && 'coordinates' in item) {
      builder.add(item.id, item.coordinates as readonly unknown[], i);
    } else {
      const { id, coordinates } = readSegmentFeature(item, i);
      builder.add(id, coordinates, i);
    }
  }
  return builder.finish();
}

/** Checks packed segments given by a caller; returns them unchanged (no copy) when they are sound. */
export function validatePackedSegments(packed: PackedSegments): PackedSegments {
  const { ids, vertexStart, coords } = packed;
  if (!Array.isArray(ids) || vertexStart.length !== ids.length + 1 || vertexStart[0] !== 0) {
    throw new MatchException(MatchErrorCode.InvalidSegment, 'packed segments: vertexStart must have ids.length + 1 entries, starting at 0');
  }
  if (vertexStart[ids.length] * 2 !== coords.length) {
    throw new MatchException(MatchErrorCode.InvalidSegment, 'packed segments: coords must hold exactly vertexStart[last] vertices');
  }
  const seen = new Map<string, number>();
  for (let s = 0; s < ids.length; s++) {
    const id = ids[s];
    if (typeof id !== 'string' || id.length === 0) throw invalid(s, `id must be a non-empty string, got ${describeValue(id)}`);
    const first = seen.get(id);
    if (first !== undefined) {
      throw new MatchException(
        MatchErrorCode.DuplicateSegmentId,
        `segment ${s}: id ${JSON.stringify(id)} is already used by segment ${first}`,
        { featureIndex: s },
      );
    }
    seen.set(id, s);
    if (vertexStart[s + 1] < vertexStart[s] + 2) throw invalid(s, 'a segment needs at least 2 vertices');
    for (let v = vertexStart[s]; v < vertexStart[s + 1]; v++) {
      if (!isValidLonLat(coords[2 * v], coords[2 * v + 1])) {
        throw invalid(s, `vertex ${v - vertexStart[s]} must have lon in [-180, 180] and lat in [-90, 90]`);
      }
    }
  }
  return packed;
}

/** Number of straight pieces (consecutive vertex pairs) in packed segments. */
export function pieceCount(packed: PackedSegments): number {
  return packed.coords.length / 2 - packed.ids.length;
}

/** Segment s as [lon, lat] pairs (a copy), e.g. to draw it or to check a match by brute force. */
export function segmentCoordinates(packed: PackedSegments, s: number): [number, number][] {
  const out: [number, number][] = [];
  for (let v = packed.vertexStart[s]; v < packed.vertexStart[s + 1]; v++) out.push([packed.coords[2 * v], packed.coords[2 * v + 1]]);
  return out;
}
