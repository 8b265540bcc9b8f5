/**
 * A flatbush index over the straight edges of many polylines, boxes in degrees. Queries take a
 * box in degrees built from a metric radius; exact distances are then computed in the local
 * metric frame of the query (a radius box search plus exact distances is exact; the box-nearest
 * candidate often is not the nearest).
 */
import Flatbush from 'flatbush';
import type { LonLat } from '../geometry/ruler';

export class EdgeIndex {
  /** [lon1, lat1, lon2, lat2] per edge. */
  readonly coords: Float64Array;
  /** Index of the polyline each edge belongs to. */
  readonly owner: Int32Array;
  private readonly index: Flatbush | null;

  private constructor(coords: Float64Array, owner: Int32Array, index: Flatbush | null) {
    this.coords = coords;
    this.owner = owner;
    this.index = index;
  }

  static build(lines: readonly { readonly coords: readonly LonLat[] }[], ownerOf: (lineIndex: number) => number = (i) => i): EdgeIndex {
    let n = 0;
    for (const l of lines) n += Math.max(0, l.coords.length - 1);
    const coords = new Float64Array(4 * n);
    const owner = new Int32Array(n);
    let e = 0;
    lines.forEach((l, li) => {
      for (let i = 1; i < l.coords.length; i++, e++) {
        coords[4 * e] = l.coords[i - 1][0];
        coords[4 * e + 1] = l.coords[i - 1][1];
        coords[4 * e + 2] = l.coords[i][0];
        coords[4 * e + 3] = l.coords[i][1];
        owner[e] = ownerOf(li);
      }
    });
    if (n === 0) return new EdgeIndex(coords, owner, null);
    const index = new Flatbush(n);
    for (let i = 0; i < n; i++) {
      const a = coords[4 * i];
      const b = coords[4 * i + 1];
      const c = coords[4 * i + 2];
      const d = coords[4 * i + 3];
      index.add(Math.min(a, c), Math.min(b, d), Math.max(a, c), Math.max(b, d));
    }
    index.finish();
    return new EdgeIndex(coords, owner, index);
  }

  get size(): number {
    return this.owner.length;
  }

  search(minLon: number, minLat: number, maxLon: number, maxLat: number): number[] {
    return this.index ? this.index.search(minLon, minLat, maxLon, maxLat) : [];
  }
}

/** Boxes of whole features (for "is this point inside an area" lookups). */
export class BoxIndex {
  private readonly index: Flatbush | null;

  constructor(boxes: readonly [number, number, number, number][]) {
    if (boxes.length === 0) {
      this.index = null;
      return;
    }
    const index = new Flatbush(boxes.length);
    for (const b of boxes) index.add(b[0], b[1], b[2], b[3]);
    index.finish();
    this.index = index;
  }

  search(minLon: number, minLat: number, maxLon: number, maxLat: number): number[] {
    return this.index ? this.index.search(minLon, minLat, maxLon, maxLat) : [];
  }
}

export function bboxOf(coords: readonly LonLat[]): [number, number, number, number] {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const c of coords) {
    if (c[0] < minX) minX = c[0];
    if (c[1] < minY) minY = c[1];
    if (c[0] > maxX) maxX = c[0];
    if (c[1] > maxY) maxY = c[1];
  }
  return [minX, minY, maxX, maxY];
}
