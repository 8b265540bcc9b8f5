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

/**
 * Packed segments made by a SegmentPackBuilder, which checked every segment on the way in: checking
 * them again would build a second map of every id, at the matcher build's peak of memory.
 */
const built = new WeakSet<PackedSegments>();

/** WKB: byte order (1), geometry type (uint32), vertex count (uint32), then x, y doubles per vertex. */
const WKB_HEADER_BYTES = 9;
const WKB_LITTLE_ENDIAN = 1;
/** ISO WKB type of a 2-D LineString (LineString Z is 1002, M 2002, ZM 3002). */
const WKB_LINESTRING = 2;

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
 * Accumulates validated segments into growable typed arrays, trimmed by `finish`. Used by
 * `packSegments`, by the streaming GeoJSON loader and for rows read from a database (`addWkb`),
 * so all enforce the same rules.
 */
export class SegmentPackBuilder {
  private readonly ids: string[] = [];
  /** Each id's first index, for refusing a duplicate; null when the ids are known unique. */
  private readonly seen: Map<string, number> | null;
  private vertexStart: Uint32Array;
  private coords: Float64Array;
  private vertexCount = 0;

  /**
   * `expected`: how many segments and vertices will come, when known: the arrays are made that
   * size at once and `finish` hands them over without a copy (a guess that is short only costs
   * growing, as with no guess). `idsUnique`: the source guarantees unique ids (a primary key), so
   * no map of them is kept (at 5 M segments it would hold a few hundred MB until the matcher is built).
   */
  constructor(expected: { segments: number; vertices: number } = { segments: 1023, vertices: 2048 }, options: { idsUnique?: boolean } = {}) {
    this.vertexStart = new Uint32Array(expected.segments + 1);
    this.coords = new Float64Array(expected.vertices * 2);
    this.seen = options.idsUnique ? null : new Map();
  }

  get segmentCount(): number {
    return this.ids.length;
  }

  /** Appends a segment; `index` names it in errors (feature index in the source). */
  add(id: unknown, coordinates: readonly unknown[], index: number): void {
    if (typeof id !== 'string' || id.length === 0) throw invalid(index, `id must be a non-empty string, got ${describeValue(id)}`);
    if (!Array.isArray(coordinates)) throw invalid(index, 'coordinates must be an array of [lon, lat] positions');
    if (coordinates.length < 2) throw invalid(index, `a segment needs at least 2 vertices, got ${coordinates.length}`);
    this.refuseDuplicate(id, index);
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
    this.seen?.set(id, index);
    this.ids.push(id);
    this.vertexCount += coordinates.length;
    this.vertexStart[this.ids.length] = this.vertexCount;
  }

  /**
   * `add` for a segment whose line is a 2-D LineString in little-endian WKB (what PostGIS's
   * `ST_AsBinary(geom, 'NDR')` gives), decoded straight into the arrays: no text and no per-vertex
   * objects, so a database's rows can be packed one batch at a time. Anything else (big-endian,
   * Z or M, another geometry type, a length that does not match the vertex count) is refused.
   */
  addWkb(id: string, wkb: Uint8Array, index: number): void {
    if (typeof id !== 'string' || id.length === 0) throw invalid(index, `id must be a non-empty string, got ${describeValue(id)}`);
    const named = `segment ${JSON.stringify(id)}`;
    if (!(wkb instanceof Uint8Array) || wkb.length < WKB_HEADER_BYTES) {
      throw invalid(index, `${named}: geometry must be WKB of at least ${WKB_HEADER_BYTES} bytes, got ${wkb instanceof Uint8Array ? `${wkb.length} bytes` : describeValue(wkb)}`);
    }
    const view = new DataView(wkb.buffer, wkb.byteOffset, wkb.byteLength);
    if (view.getUint8(0) !== WKB_LITTLE_ENDIAN) throw invalid(index, `${named}: geometry must be little-endian (NDR) WKB, got byte order ${view.getUint8(0)}`);
    const type = view.getUint32(1, true);
    if (type !== WKB_LINESTRING) throw invalid(index, `${named}: geometry must be a 2-D LineString (WKB type ${WKB_LINESTRING}), got WKB type ${type}`);
    const vertices = view.getUint32(5, true);
    if (wkb.length !== WKB_HEADER_BYTES + 16 * vertices) {
      throw invalid(index, `${named}: WKB of ${vertices} vertices must be ${WKB_HEADER_BYTES + 16 * vertices} bytes, got ${wkb.length}`);
    }
    if (vertices < 2) throw invalid(index, `${named}: a segment needs at least 2 vertices, got ${vertices}`);
    this.refuseDuplicate(id, index);
    this.reserve(vertices);
    const coords = this.coords;
    for (let k = 0, r = WKB_HEADER_BYTES, w = this.vertexCount * 2; k < vertices; k++, r += 16, w += 2) {
      const lon = view.getFloat64(r, true);
      const lat = view.getFloat64(r + 8, true);
      if (!isValidLonLat(lon, lat)) {
        throw invalid(index, `${named}: vertex ${k} must have lon in [-180, 180] and lat in [-90, 90], got [${lon}, ${lat}]`);
      }
      coords[w] = lon;
      coords[w + 1] = lat;
    }
    this.seen?.set(id, index);
    this.ids.push(id);
    this.vertexCount += vertices;
    this.vertexStart[this.ids.length] = this.vertexCount;
  }

  /** Whether a segment with this id has been added (asked only of a builder that keeps its ids). */
  has(id: string): boolean {
    if (!this.seen) throw new Error('SegmentPackBuilder.has: this builder was told its ids are unique and keeps no map of them');
    return this.seen.has(id);
  }

  private refuseDuplicate(id: string, index: number): void {
    const first = this.seen?.get(id);
    if (first !== undefined) {
      throw new MatchException(MatchErrorCode.DuplicateSegmentId, `segment ${index}: id ${JSON.stringify(id)} is already used by segment ${first}`, {
        featureIndex: index,
      });
    }
  }

  /**
   * `add` for a segment its caller has already checked (a new non-empty id, at least 2 vertices,
   * each in range): `vertices` [lon, lat] pairs from `flat`.
   */
  addChecked(id: string, flat: Float64Array, vertices: number, index: number): void {
    this.reserve(vertices);
    const coords = this.coords;
    for (let k = 0, w = this.vertexCount * 2; k < vertices * 2; k++, w++) coords[w] = flat[k];
    this.seen?.set(id, index);
    this.ids.push(id);
    this.vertexCount += vertices;
    this.vertexStart[this.ids.length] = this.vertexCount;
  }

  /**
   * The packed segments, trimmed to size (copied only when the arrays are larger), known to be
   * valid: `validatePackedSegments` does not check them again. The builder must not be used afterwards.
   */
  finish(): PackedSegments {
    const n = this.ids.length;
    const trim = <T extends Uint32Array | Float64Array>(a: T, length: number): T => (a.length === length ? a : (a.slice(0, length) as T));
    const packed = { ids: this.ids, vertexStart: trim(this.vertexStart, n + 1), coords: trim(this.coords, this.vertexCount * 2) };
    built.add(packed);
    return packed;
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
  if (built.has(packed)) return packed;
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
