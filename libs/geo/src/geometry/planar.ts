/**
 * Planar primitives in a local metric frame (x east, y north, metres), on plain numbers so the
 * hot loops allocate nothing. Callers project lon/lat with `LocalFrame` first.
 */
import { metricScale, type LonLat } from './ruler';

const INF = Number.POSITIVE_INFINITY;

/** A local equirectangular frame (cheap-ruler scale) with its origin at a reference point. */
export class LocalFrame {
  readonly kx: number;
  readonly ky: number;

  constructor(
    readonly lon0: number,
    readonly lat0: number,
  ) {
    const s = metricScale(lat0);
    this.kx = s.kx;
    this.ky = s.ky;
  }

  static around(coords: readonly LonLat[]): LocalFrame {
    let minLat = INF;
    let maxLat = -INF;
    for (const c of coords) {
      if (c[1] < minLat) minLat = c[1];
      if (c[1] > maxLat) maxLat = c[1];
    }
    return new LocalFrame(coords[0][0], (minLat + maxLat) / 2);
  }

  x(lon: number): number {
    return (lon - this.lon0) * this.kx;
  }

  y(lat: number): number {
    return (lat - this.lat0) * this.ky;
  }

  lon(x: number): number {
    return this.lon0 + x / this.kx;
  }

  lat(y: number): number {
    return this.lat0 + y / this.ky;
  }

  /** Degrees of longitude and latitude that hold at least `m` metres around this frame. */
  degreesFor(m: number): { dLon: number; dLat: number } {
    return { dLon: m / this.kx, dLat: m / this.ky };
  }
}

/**
 * Closest point of segment a→b to p. Writes [t, qx, qy, d²] into `out` and returns d² (m²).
 * Degenerate segments (a = b) give t = 0.
 */
export function closestOnSegment(
  px: number,
  py: number,
  ax: number,
  ay: number,
  bx: number,
  by: number,
  out?: Float64Array,
): number {
  const ux = bx - ax;
  const uy = by - ay;
  const len2 = ux * ux + uy * uy;
  let t = len2 > 0 ? ((px - ax) * ux + (py - ay) * uy) / len2 : 0;
  if (t < 0) t = 0;
  else if (t > 1) t = 1;
  const qx = ax + t * ux;
  const qy = ay + t * uy;
  const dx = px - qx;
  const dy = py - qy;
  const d2 = dx * dx + dy * dy;
  if (out) {
    out[0] = t;
    out[1] = qx;
    out[2] = qy;
    out[3] = d2;
  }
  return d2;
}

/**
 * The closest points of a polyline and a segment (see closestPairToPolyline). One object is reused
 * across calls, so a loop over many edges allocates nothing.
 */
export class ClosestPair {
  /** Squared distance, m² (not meaningful when they meet). */
  d2 = INF;
  /** The polyline and the segment touch or cross. */
  meets = false;
  /** The polyline's edge (j → j+1) holding its closest point, and the parameter t along it. */
  edge = 0;
  t = 0;
  /** The closest point on the polyline. */
  px = 0;
  py = 0;
  /** The closest point on the segment. */
  qx = 0;
  qy = 0;
  /** closestOnSegment's output. */
  readonly at = new Float64Array(4);
}

/**
 * The closest points of polyline (xs, ys) and segment c→d, written into `out`. The closest pair of
 * two disjoint segments has an endpoint of one of them, so each polyline edge tries four
 * point–segment distances; the first smallest wins.
 */
export function closestPairToPolyline(
  xs: Float64Array,
  ys: Float64Array,
  cx: number,
  cy: number,
  dx: number,
  dy: number,
  out: ClosestPair,
): ClosestPair {
  const at = out.at;
  out.d2 = INF;
  out.meets = false;
  out.edge = 0;
  out.t = 0;
  out.px = 0;
  out.py = 0;
  out.qx = 0;
  out.qy = 0;
  for (let j = 0; j < xs.length - 1; j++) {
    const ax = xs[j];
    const ay = ys[j];
    const bx = xs[j + 1];
    const by = ys[j + 1];
    if (segmentsIntersect(ax, ay, bx, by, cx, cy, dx, dy)) {
      out.meets = true;
      break;
    }
    let d2 = closestOnSegment(ax, ay, cx, cy, dx, dy, at);
    if (d2 < out.d2) (out.d2 = d2), (out.edge = j), (out.t = 0), (out.px = ax), (out.py = ay), (out.qx = at[1]), (out.qy = at[2]);
    d2 = closestOnSegment(bx, by, cx, cy, dx, dy, at);
    if (d2 < out.d2) (out.d2 = d2), (out.edge = j), (out.t = 1), (out.px = bx), (out.py = by), (out.qx = at[1]), (out.qy = at[2]);
    d2 = closestOnSegment(cx, cy, ax, ay, bx, by, at);
    if (d2 < out.d2) (out.d2 = d2), (out.edge = j), (out.t = at[0]), (out.px = at[1]), (out.py = at[2]), (out.qx = cx), (out.qy = cy);
    d2 = closestOnSegment(dx, dy, ax, ay, bx, by, at);
    if (d2 < out.d2) (out.d2 = d2), (out.edge = j), (out.t = at[0]), (out.px = at[1]), (out.py = at[2]), (out.qx = dx), (out.qy = dy);
  }
  return out;
}

/** Twice the signed area of triangle (a, b, c): > 0 when c is left of a→b. */
export function cross(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
}

function onSegment(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): boolean {
  return Math.min(ax, bx) <= cx && cx <= Math.max(ax, bx) && Math.min(ay, by) <= cy && cy <= Math.max(ay, by);
}

/** Whether segments a→b and c→d share at least one point (touching counts). */
export function segmentsIntersect(
  ax: number,
  ay: number,
  bx: number,
  by: number,
  cx: number,
  cy: number,
  dx: number,
  dy: number,
): boolean {
  const d1 = cross(cx, cy, dx, dy, ax, ay);
  const d2 = cross(cx, cy, dx, dy, bx, by);
  const d3 = cross(ax, ay, bx, by, cx, cy);
  const d4 = cross(ax, ay, bx, by, dx, dy);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return true;
  if (d1 === 0 && onSegment(cx, cy, dx, dy, ax, ay)) return true;
  if (d2 === 0 && onSegment(cx, cy, dx, dy, bx, by)) return true;
  if (d3 === 0 && onSegment(ax, ay, bx, by, cx, cy)) return true;
  if (d4 === 0 && onSegment(ax, ay, bx, by, dx, dy)) return true;
  return false;
}

/**
 * Radius in metres of the circle through three points, R = abc / (4·area) (circumradius);
 * INF when they are collinear.
 */
export function circumradius(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  const area2 = Math.abs(cross(ax, ay, bx, by, cx, cy));
  if (area2 === 0) return INF;
  const a = Math.hypot(bx - cx, by - cy);
  const b = Math.hypot(ax - cx, ay - cy);
  const c = Math.hypot(ax - bx, ay - by);
  return (a * b * c) / (2 * area2);
}

/**
 * Even–odd point-in-polygon over any number of rings, in lon/lat: the ray-crossing parity is
 * unchanged by the axis scaling of a local frame, so no projection is needed.
 */
export function pointInRings(lon: number, lat: number, rings: readonly (readonly LonLat[])[]): boolean {
  let inside = false;
  for (const ring of rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const xi = ring[i][0];
      const yi = ring[i][1];
      const xj = ring[j][0];
      const yj = ring[j][1];
      if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
}
