/** Walking along a lon/lat polyline by distance in metres (cheap-ruler lengths per edge). */
import { distanceM, type LonLat } from './ruler';

/** Distance in metres from the first vertex to each vertex. */
export function cumulativeLengthsM(coords: readonly LonLat[]): Float64Array {
  const cum = new Float64Array(coords.length);
  for (let i = 1; i < coords.length; i++) cum[i] = cum[i - 1] + distanceM(coords[i - 1], coords[i]);
  return cum;
}

/** Index i of the edge (i → i+1) that holds offset s (clamped to the line). */
export function edgeAt(cum: Float64Array, s: number): number {
  let lo = 0;
  let hi = cum.length - 1;
  if (s <= 0) return 0;
  if (s >= cum[hi]) return Math.max(0, hi - 1);
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (cum[mid] <= s) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** The point at offset s metres along the line (clamped to its ends). */
export function pointAtOffset(coords: readonly LonLat[], cum: Float64Array, s: number): [number, number] {
  const i = edgeAt(cum, s);
  const a = coords[i];
  const b = coords[i + 1] ?? a;
  const len = cum[i + 1] - cum[i];
  let t = len > 0 ? (s - cum[i]) / len : 0;
  if (t < 0) t = 0;
  else if (t > 1) t = 1;
  return [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
}

/** The part of the line between offsets from and to (metres), with the vertices in between. */
export function sliceLine(coords: readonly LonLat[], cum: Float64Array, from: number, to: number): LonLat[] {
  const out: LonLat[] = [pointAtOffset(coords, cum, from)];
  const eps = 1e-9;
  for (let i = 0; i < coords.length; i++) {
    if (cum[i] > from + eps && cum[i] < to - eps) out.push(coords[i]);
  }
  out.push(pointAtOffset(coords, cum, to));
  return out;
}
