import { metricScale } from '../geometry/ruler';
import { MatchErrorCode, MatchException } from './match.exception';
import { buildPackedTree } from './packed-tree';
import { SLOT, SegmentMatcher } from './segment-matcher';
import { openWkbLineString } from './wkb-line-string';

function invalid(index: number, id: string, message: string): MatchException {
  return new MatchException(MatchErrorCode.InvalidSegment, `segment ${index}: segment ${JSON.stringify(id)}: ${message}`, { featureIndex: index });
}

/**
 * Builds a SegmentMatcher from segments given one at a time as WKB (rows as a database hands
 * them over), writing each piece's record as it arrives instead of packing the network first:
 * the build holds the records, the tree and one byte per piece, so its peak is about the
 * matcher's own size (at 5 M segments the packed input alone would be another 340 MB). The
 * matcher equals `SegmentMatcher.build` of the same segments in the same order.
 *
 * Ids are not checked for duplicates: give it rows of a primary key, each once.
 */
export class SegmentMatcherBuilder {
  private readonly ids: string[] = [];
  /** Records in piece order (segment by segment), as SegmentMatcher#slots lays them out. */
  private slots: Float64Array;
  private pieces = 0;
  private vertices = 0;

  /** `expected`: the network's totals, so the records are allocated once (a short guess only costs growing). */
  constructor(expected: { segments: number; vertices: number }) {
    this.slots = new Float64Array(Math.max(0, expected.vertices - expected.segments) * SLOT);
  }

  get segmentCount(): number {
    return this.ids.length;
  }

  /**
   * Appends a segment whose line is a 2-D LineString in little-endian WKB (PostGIS's
   * `ST_AsBinary(geom, 'NDR')`); anything else is refused, naming the segment. `index` names it in errors.
   */
  addWkb(id: string, wkb: Uint8Array, index: number): void {
    if (typeof id !== 'string' || id.length === 0) throw invalid(index, String(id), 'id must be a non-empty string');
    const line = openWkbLineString(wkb);
    if ('refused' in line) throw invalid(index, id, line.refused);
    const { view, vertices } = line;
    this.reserve(vertices - 1);
    const s = this.ids.length;
    const slots = this.slots;
    let along = 0;
    let lonA = view.getFloat64(9, true);
    let latA = view.getFloat64(17, true);
    if (!inRange(lonA, latA)) throw invalid(index, id, `vertex 0 must have lon in [-180, 180] and lat in [-90, 90], got [${lonA}, ${latA}]`);
    for (let k = 1, r = this.pieces * SLOT; k < vertices; k++, r += SLOT) {
      const lonB = view.getFloat64(9 + 16 * k, true);
      const latB = view.getFloat64(17 + 16 * k, true);
      if (!inRange(lonB, latB)) throw invalid(index, id, `vertex ${k} must have lon in [-180, 180] and lat in [-90, 90], got [${lonB}, ${latB}]`);
      // Each piece in the frame of its own mid-latitude, as ruler.lineLengthM (and SegmentMatcher.build) measures it.
      const scale = metricScale((latA + latB) / 2);
      const dx = (lonB - lonA) * scale.kx;
      const dy = (latB - latA) * scale.ky;
      slots[r] = lonA;
      slots[r + 1] = latA;
      slots[r + 2] = lonB;
      slots[r + 3] = latB;
      slots[r + 4] = along;
      along += Math.sqrt(dx * dx + dy * dy);
      slots[r + 5] = along;
      slots[r + 6] = s;
      slots[r + 7] = this.vertices + k - 1;
      lonA = lonB;
      latA = latB;
    }
    this.ids.push(id);
    this.pieces += vertices - 1;
    this.vertices += vertices;
  }

  /** The matcher. The builder must not be used afterwards. */
  finish(): SegmentMatcher {
    const pieces = this.pieces;
    const slots = this.slots.length === pieces * SLOT ? this.slots : this.slots.slice(0, pieces * SLOT);
    this.slots = new Float64Array(0);
    let minLon = Infinity;
    let minLat = Infinity;
    let maxLon = -Infinity;
    let maxLat = -Infinity;
    // Every vertex is an end of some piece (a segment has at least 2 vertices).
    for (let e = 0; e < slots.length; e += e % SLOT === 0 ? 2 : SLOT - 2) {
      if (slots[e] < minLon) minLon = slots[e];
      if (slots[e] > maxLon) maxLon = slots[e];
      if (slots[e + 1] < minLat) minLat = slots[e + 1];
      if (slots[e + 1] > maxLat) maxLat = slots[e + 1];
    }
    const lon0 = this.ids.length > 0 ? (minLon + maxLon) / 2 : 0;
    const lat0 = this.ids.length > 0 ? (minLat + maxLat) / 2 : 0;
    const { kx: kx0, ky: ky0 } = metricScale(lat0);
    const tree =
      pieces > 0
        ? buildPackedTree(pieces, (add) => {
            for (let r = 0; r < slots.length; r += SLOT) {
              const ax = slots[r];
              const ay = slots[r + 1];
              const bx = slots[r + 2];
              const by = slots[r + 3];
              add((Math.min(ax, bx) - lon0) * kx0, (Math.min(ay, by) - lat0) * ky0, (Math.max(ax, bx) - lon0) * kx0, (Math.max(ay, by) - lat0) * ky0);
            }
          })
        : undefined;
    if (tree) gatherInPlace(slots, tree.indices, pieces);
    return SegmentMatcher.fromData({ lon0, lat0, kx0, ky0, tree, slots, ids: this.ids });
  }

  private reserve(pieces: number): void {
    const needed = (this.pieces + pieces) * SLOT;
    if (needed <= this.slots.length) return;
    const grown = new Float64Array(Math.max(needed, this.slots.length * 2));
    grown.set(this.slots);
    this.slots = grown;
  }
}

/** Range tests that NaN fails too. */
const inRange = (lon: number, lat: number): boolean => lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90;

/**
 * Reorders the records so that record i becomes the one that was at `from[i]` (the tree's leaf
 * order), in place: each cycle of the permutation is followed once, with one record held aside.
 */
function gatherInPlace(slots: Float64Array, from: ArrayLike<number>, count: number): void {
  const done = new Uint8Array(count);
  const held = new Float64Array(SLOT);
  for (let start = 0; start < count; start++) {
    if (done[start]) continue;
    held.set(slots.subarray(start * SLOT, start * SLOT + SLOT));
    let i = start;
    for (;;) {
      done[i] = 1;
      const source = from[i];
      if (source === start) {
        slots.set(held, i * SLOT);
        break;
      }
      slots.copyWithin(i * SLOT, source * SLOT, source * SLOT + SLOT);
      i = source;
    }
  }
}
