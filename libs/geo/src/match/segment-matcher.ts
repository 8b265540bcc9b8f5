import { metricScale } from '../geometry/ruler';
import { MatchErrorCode, MatchException } from './match.exception';
import { packSegments, pieceCount, type PackedSegments, type SegmentSource } from './packed-segments';
import { buildPackedTree, type PackedTree } from './packed-tree';

/**
 * Largest tolerance accepted, in metres. A report farther than this from every road is not on a
 * road, and beyond ~10 km the local equirectangular frame starts to drift from geodesic distances.
 */
export const MAX_TOLERANCE_M = 10_000;

/** The segment nearest to a point. */
export interface SegmentMatch {
  readonly segmentId: string;
  /** Index of the segment in the order it was given (ties go to the lowest). */
  readonly segmentIndex: number;
  /** Distance from the point to the segment, metres. */
  readonly distanceM: number;
  /** Metres along the segment from its first vertex to the point's nearest point on it. */
  readonly offsetM: number;
  /** The nearest point on the segment, [lon, lat]: where the report snaps to the road. */
  readonly point: [number, number];
}

export type QueryPoint = readonly [number, number];

/** A built matcher's index as plain data (see SegmentMatcher#toData). */
export interface SegmentMatcherData {
  readonly lon0: number;
  readonly lat0: number;
  readonly kx0: number;
  readonly ky0: number;
  readonly tree: PackedTree | undefined;
  readonly slots: Float64Array;
  readonly ids: readonly string[];
}

/** Doubles per leaf slot record (see SegmentMatcher#slots). */
export const SLOT = 8;

function checkTolerance(toleranceM: number): void {
  if (typeof toleranceM !== 'number' || !(toleranceM >= 0 && toleranceM <= MAX_TOLERANCE_M)) {
    throw new MatchException(
      MatchErrorCode.InvalidTolerance,
      `tolerance must be a number of metres in [0, ${MAX_TOLERANCE_M}], got ${String(toleranceM)}`,
    );
  }
}

function checkPoint(lon: number, lat: number, pointIndex?: number): void {
  // Written as range tests that NaN fails too.
  const lonOk = typeof lon === 'number' && lon >= -180 && lon <= 180;
  const latOk = typeof lat === 'number' && lat >= -90 && lat <= 90;
  if (lonOk && latOk) return;
  const where = pointIndex === undefined ? '' : `point ${pointIndex}: `;
  const what = !lonOk ? `lon ${String(lon)} is not in [-180, 180]` : `lat ${String(lat)} is not in [-90, 90]`;
  throw new MatchException(MatchErrorCode.InvalidCoordinate, `${where}${what}`, pointIndex === undefined ? {} : { pointIndex });
}

/**
 * Nearest-segment matcher. Every straight piece (consecutive vertex pair) of every segment goes
 * into a static packed Hilbert R-tree (flatbush) in a projected metric frame; a query walks the
 * tree for the box that covers the tolerance and measures every candidate exactly, so the answer
 * is the true nearest segment (a k-nearest-by-box search is not: the box-nearest piece is often
 * not the nearest piece). Distances are measured in the local equirectangular frame of the query
 * point, with ruler.projectOnSegment's arithmetic, so they equal ruler.projectOnLine's exactly and
 * agree with geodesic distances to well under a millimetre per metre at these ranges.
 *
 * The walk goes nearest child first and skips any box farther than the best piece so far.
 *
 * Memory: typed arrays only, ~85 bytes per piece (a 64-byte record and the tree) plus the id
 * strings; the input's arrays are not retained. Instances are immutable once built; `match` is
 * synchronous.
 */
export class SegmentMatcher {
  /** Index frame: x = (lon − lon0)·kx0, y = (lat − lat0)·ky0, metres (kx0, ky0 at lat0). */
  private readonly lon0: number;
  private readonly lat0: number;
  private readonly kx0: number;
  private readonly ky0: number;
  private readonly tree: PackedTree | undefined;
  /**
   * One 64-byte record per leaf slot of the tree, in the tree's Hilbert order so that the pieces a
   * query meets lie together in memory, and all a match needs is in one cache line:
   * [lonA, latA, lonB, latB, offsetA, offsetB, segment, first vertex]. Offsets are metres from the
   * segment's first vertex, each piece measured like ruler.lineLengthM does; the first-vertex index
   * orders pieces as (segment, piece), for ties.
   */
  private readonly slots: Float64Array;
  private readonly ids: readonly string[];
  /** Depth-first stack of (node position, level) pairs and their distance bounds, reused by every query. */
  private readonly stack: Int32Array;
  private readonly bounds: Float64Array;
  /** `search`'s answer for `match`, reused. */
  private readonly result = new Float64Array(4);

  private constructor(packed: PackedSegments | SegmentMatcherData) {
    if ('slots' in packed) {
      ({ lon0: this.lon0, lat0: this.lat0, kx0: this.kx0, ky0: this.ky0, tree: this.tree, slots: this.slots, ids: this.ids } = packed);
      [this.stack, this.bounds] = SegmentMatcher.searchStacks(this.tree);
      return;
    }
    const { coords, vertexStart, ids } = packed;
    const segments = ids.length;
    const pieces = pieceCount(packed);
    this.ids = ids.slice(); // a copy: the caller may reuse its array

    let minLon = Infinity;
    let minLat = Infinity;
    let maxLon = -Infinity;
    let maxLat = -Infinity;
    for (let i = 0; i < coords.length; i += 2) {
      if (coords[i] < minLon) minLon = coords[i];
      if (coords[i] > maxLon) maxLon = coords[i];
      if (coords[i + 1] < minLat) minLat = coords[i + 1];
      if (coords[i + 1] > maxLat) maxLat = coords[i + 1];
    }
    const lon0 = segments > 0 ? (minLon + maxLon) / 2 : 0;
    const lat0 = segments > 0 ? (minLat + maxLat) / 2 : 0;
    const { kx: kx0, ky: ky0 } = metricScale(lat0);
    this.lon0 = lon0;
    this.lat0 = lat0;
    this.kx0 = kx0;
    this.ky0 = ky0;

    this.tree =
      pieces > 0
        ? buildPackedTree(pieces, (add) => {
            // Pieces numbered in order: segment by segment, vertex by vertex.
            for (let s = 0; s < segments; s++) {
              for (let a = 2 * vertexStart[s]; a < 2 * vertexStart[s + 1] - 2; a += 2) {
                const ax = coords[a];
                const ay = coords[a + 1];
                const bx = coords[a + 2];
                const by = coords[a + 3];
                add((Math.min(ax, bx) - lon0) * kx0, (Math.min(ay, by) - lat0) * ky0, (Math.max(ax, bx) - lon0) * kx0, (Math.max(ay, by) - lat0) * ky0);
              }
            }
          })
        : undefined;

    // The slot of each piece (the inverse of the tree's leaf order), so that the records can be
    // written in piece order, measuring offsets as they go, with no per-piece or per-vertex
    // arrays besides this one (at 15 M pieces those came to 280 MB more at the build's peak).
    const slotOf = new Uint32Array(pieces);
    for (let slot = 0; slot < pieces; slot++) slotOf[this.tree!.indices[slot]] = slot;
    this.slots = new Float64Array(pieces * SLOT);
    for (let s = 0, p = 0; s < segments; s++) {
      let along = 0;
      for (let v = vertexStart[s] + 1; v < vertexStart[s + 1]; v++, p++) {
        const r = SLOT * slotOf[p];
        for (let k = 0; k < 4; k++) this.slots[r + k] = coords[2 * v - 2 + k];
        this.slots[r + 4] = along;
        // Each piece in the frame of its own mid-latitude, as ruler.lineLengthM measures it.
        const scale = metricScale((coords[2 * v - 1] + coords[2 * v + 1]) / 2);
        const dx = (coords[2 * v] - coords[2 * v - 2]) * scale.kx;
        const dy = (coords[2 * v + 1] - coords[2 * v - 1]) * scale.ky;
        along += Math.sqrt(dx * dx + dy * dy);
        this.slots[r + 5] = along;
        this.slots[r + 6] = s;
        this.slots[r + 7] = v - 1;
      }
    }
    [this.stack, this.bounds] = SegmentMatcher.searchStacks(this.tree);
  }

  private static searchStacks(tree: PackedTree | undefined): [Int32Array, Float64Array] {
    const levels = tree?.levelBounds.length ?? 1;
    const stack = new Int32Array(2 * (levels + 1) * (tree?.nodeSize ?? 1));
    return [stack, new Float64Array(stack.length / 2)];
  }

  /**
   * The built index as data another thread can receive (postMessage) and open with `fromData`
   * without loading or building anything: its typed arrays are copied once into
   * SharedArrayBuffers, which threads share rather than copy.
   */
  toData(): SegmentMatcherData {
    const shared = <T extends Float64Array | Float32Array | Uint32Array | Uint16Array>(a: T): T => {
      const copy = new (a.constructor as new (buffer: SharedArrayBuffer) => T)(new SharedArrayBuffer(a.byteLength));
      copy.set(a);
      return copy;
    };
    const tree = this.tree && { ...this.tree, boxes: shared(this.tree.boxes), indices: shared(this.tree.indices), levelBounds: shared(this.tree.levelBounds) };
    return { lon0: this.lon0, lat0: this.lat0, kx0: this.kx0, ky0: this.ky0, tree, slots: shared(this.slots), ids: this.ids };
  }

  /** A matcher over the index of `toData` (in this thread or another); it answers as the original. */
  static fromData(data: SegmentMatcherData): SegmentMatcher {
    return new SegmentMatcher(data);
  }

  /**
   * Builds a matcher. Every input is validated; GeoJSON and `{ id, coordinates }` inputs are
   * packed into typed arrays first. The matcher keeps none of the input's arrays.
   */
  static build(source: SegmentSource): SegmentMatcher {
    return new SegmentMatcher(packSegments(source));
  }

  get segmentCount(): number {
    return this.ids.length;
  }

  get pieceCount(): number {
    return this.slots.length / SLOT;
  }

  /** The nearest segment within `toleranceM` metres of (lon, lat), or null when there is none. */
  match(lon: number, lat: number, toleranceM: number): SegmentMatch | null {
    checkTolerance(toleranceM);
    checkPoint(lon, lat);
    return this.nearest(lon, lat, toleranceM);
  }

  /**
   * `match` without building an object, for callers matching millions of points: `point` holds
   * [lon, lat]; returns the index of the nearest segment within `toleranceM` (see `segmentId`), or
   * −1 when there is none. On a match, `point` then holds [distanceM, offsetM, lon, lat of the
   * nearest point on the segment], the same numbers as `match` gives. (Numbers passed in and out
   * through a typed array are not allocated, as arguments and results of a call can be.)
   */
  matchInto(point: Float64Array, toleranceM: number): number {
    checkTolerance(toleranceM);
    checkPoint(point[0], point[1]);
    return this.search(point, toleranceM);
  }

  /** The id of segment `index` (in the order the segments were given). */
  segmentId(index: number): string {
    return this.ids[index];
  }

  /** `match` for many points, in order. One invalid point fails the whole batch (naming it). */
  matchMany(points: readonly QueryPoint[], toleranceM: number): (SegmentMatch | null)[] {
    checkTolerance(toleranceM);
    for (let i = 0; i < points.length; i++) checkPoint(points[i][0], points[i][1], i);
    const out = new Array<SegmentMatch | null>(points.length);
    for (let i = 0; i < points.length; i++) out[i] = this.nearest(points[i][0], points[i][1], toleranceM);
    return out;
  }

  private nearest(lon: number, lat: number, toleranceM: number): SegmentMatch | null {
    const result = this.result;
    result[0] = lon;
    result[1] = lat;
    const segmentIndex = this.search(result, toleranceM);
    if (segmentIndex < 0) return null;
    return { segmentId: this.ids[segmentIndex], segmentIndex, distanceM: result[0], offsetM: result[1], point: [result[2], result[3]] };
  }

  /** The nearest segment's index, or −1; reads and fills `result` as `matchInto` describes. */
  private search(result: Float64Array, toleranceM: number): number {
    const lon = result[0];
    const lat = result[1];
    const tree = this.tree;
    if (tree === undefined) return -1;
    const { kx, ky } = metricScale(lat);

    // A piece point within toleranceM of the query, in the query's frame, has |Δlon|·kx ≤ tol,
    // so in the index frame |Δx| ≤ tol·kx0/kx (and the same for y); the pad absorbs rounding.
    const rx = (toleranceM * this.kx0) / kx;
    const ry = (toleranceM * this.ky0) / ky;
    const x = (lon - this.lon0) * this.kx0;
    const y = (lat - this.lat0) * this.ky0;
    const minX = x - rx - (rx * 1e-9 + 1e-6);
    const maxX = x + rx + (rx * 1e-9 + 1e-6);
    const minY = y - ry - (ry * 1e-9 + 1e-6);
    const maxY = y + ry + (ry * 1e-9 + 1e-6);

    const sx = kx / this.kx0; // index frame → query frame, per axis
    const sy = ky / this.ky0;
    const { boxes, indices, levelBounds, nodeSize } = tree;
    const leafEnd = tree.numItems * 4;
    const c = this.slots;
    const stack = this.stack;
    const bounds = this.bounds;
    let bestSlot = -1;
    // Start from the tolerance (widened past rounding; MIN_VALUE lets a tolerance of 0 match a
    // distance of 0), so that boxes beyond it in the corners of the search square are pruned too.
    let bestDistSq = toleranceM * toleranceM * (1 + 1e-9) + Number.MIN_VALUE;
    let bestT = 0;

    // The distance from the query to a box, rescaled to the query's frame, is a lower bound of
    // the distance to anything inside it: a node or piece whose bound exceeds the best distance
    // so far is skipped (the bound is shrunk by 1e-9 so that rounding never drops a tie). Nodes
    // are checked when pushed and again when popped, as the best may have improved meanwhile.
    let sp = 0;
    stack[sp] = boxes.length - 4; // the root
    stack[sp + 1] = levelBounds.length - 1;
    bounds[sp >> 1] = 0;
    sp += 2;
    while (sp > 0) {
      sp -= 2;
      if (bounds[sp >> 1] > bestDistSq) continue;
      const node = stack[sp];
      const level = stack[sp + 1];
      const end = Math.min(node + nodeSize * 4, levelBounds[level]);
      const leaves = node < leafEnd;
      const firstPushed = sp;
      let nearestPushed = -1;
      for (let pos = node; pos < end; pos += 4) {
        const x0 = boxes[pos];
        const y0 = boxes[pos + 1];
        const x1 = boxes[pos + 2];
        const y1 = boxes[pos + 3];
        if (maxX < x0 || maxY < y0 || minX > x1 || minY > y1) continue;
        const bx = (x < x0 ? x0 - x : x > x1 ? x - x1 : 0) * sx;
        const by = (y < y0 ? y0 - y : y > y1 ? y - y1 : 0) * sy;
        const bound = (bx * bx + by * by) * (1 - 1e-9);
        if (bound > bestDistSq) continue;
        if (!leaves) {
          if (nearestPushed < 0 || bound < bounds[nearestPushed >> 1]) nearestPushed = sp;
          stack[sp] = indices[pos >> 2];
          stack[sp + 1] = level - 1;
          bounds[sp >> 1] = bound;
          sp += 2;
          continue;
        }
        // Exact distance to the piece: ruler.projectOnSegment, inlined (same operations, so the
        // same bits): project onto the piece in the query's frame and clamp t to [0, 1].
        const r = 2 * pos; // = SLOT * slot
        const ax = c[r];
        const ay = c[r + 1];
        const ux = (c[r + 2] - ax) * kx;
        const uy = (c[r + 3] - ay) * ky;
        const wx = (lon - ax) * kx;
        const wy = (lat - ay) * ky;
        const len2 = ux * ux + uy * uy;
        let t = len2 > 0 ? (wx * ux + wy * uy) / len2 : 0;
        if (t < 0) t = 0;
        else if (t > 1) t = 1;
        const dx = wx - t * ux;
        const dy = wy - t * uy;
        const d2 = dx * dx + dy * dy;
        const slot = pos >> 2;
        // Ties go to the lowest first-vertex index, i.e. the lowest segment, then the lowest piece.
        if (d2 < bestDistSq || (d2 === bestDistSq && c[r + 7] < c[SLOT * bestSlot + 7])) {
          bestDistSq = d2;
          bestSlot = slot;
          bestT = t;
        }
      }
      // Visit the nearest child first (it is popped first): the best distance then drops early
      // and prunes its siblings when they are popped.
      const top = sp - 2;
      if (nearestPushed >= 0 && nearestPushed !== top && top >= firstPushed) {
        const node2 = stack[top];
        const level2 = stack[top + 1];
        const bound2 = bounds[top >> 1];
        stack[top] = stack[nearestPushed];
        stack[top + 1] = stack[nearestPushed + 1];
        bounds[top >> 1] = bounds[nearestPushed >> 1];
        stack[nearestPushed] = node2;
        stack[nearestPushed + 1] = level2;
        bounds[nearestPushed >> 1] = bound2;
      }
    }

    if (bestSlot < 0) return -1;
    const distance = Math.sqrt(bestDistSq);
    if (!(distance <= toleranceM)) return -1;
    const r = SLOT * bestSlot;
    result[0] = distance;
    result[1] = c[r + 4] + bestT * (c[r + 5] - c[r + 4]);
    result[2] = c[r] + bestT * (c[r + 2] - c[r]);
    result[3] = c[r + 1] + bestT * (c[r + 3] - c[r + 1]);
    return c[r + 6];
  }
}
