/**
 * Closed coordinate rings → GeoJSON (RFC 7946) polygons: each inner ring goes to the smallest outer
 * ring that holds it, outer rings turn counter-clockwise and inner rings clockwise, and the result
 * is checked the way PostGIS's ST_IsValid would reject it (crossing or self-touching rings, rings
 * sharing edges, inner rings outside every outer ring, outer rings inside one another). Planar
 * geometry in degrees is enough for these topological tests.
 */
import Flatbush from 'flatbush';
import type { LonLat } from '../geometry/ruler';

export type Ring = readonly LonLat[];
/** A polygon as GeoJSON coordinates: the outer ring first, then its holes. */
export type PolygonRings = [number, number][][];

export type BuildResult = { ok: true; polygons: PolygonRings[] } | { ok: false; reason: string };

/** Twice the signed area (shoelace), positive when counter-clockwise. */
export function signedArea2(ring: Ring): number {
  let s = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) s += (ring[j][0] - ring[i][0]) * (ring[j][1] + ring[i][1]);
  return s;
}

/** Even–odd point in ring (a point on an edge may come out either way). */
export function pointInRing(p: LonLat, ring: Ring): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Whether `ring` lies inside `container`, judged at a vertex of `ring` that is not a vertex of `container`. */
function ringInside(ring: Ring, container: Ring): boolean {
  const vertices = new Set(container.map((p) => `${p[0]},${p[1]}`));
  const probe = ring.find((p) => !vertices.has(`${p[0]},${p[1]}`)) ?? ring[0];
  return pointInRing(probe, container);
}

const fmtPoint = (p: LonLat) => `${p[0].toFixed(6)},${p[1].toFixed(6)}`;

function orient(a: LonLat, b: LonLat, c: LonLat): number {
  return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
}

function onSegment(a: LonLat, b: LonLat, p: LonLat): boolean {
  return Math.min(a[0], b[0]) <= p[0] && p[0] <= Math.max(a[0], b[0]) && Math.min(a[1], b[1]) <= p[1] && p[1] <= Math.max(a[1], b[1]);
}

type Contact = { kind: 'cross' | 'touch' | 'overlap'; at: LonLat } | null;

/** How two segments meet: a proper crossing, a touch at a point, a collinear overlap, or not at all. */
function contact(a: LonLat, b: LonLat, c: LonLat, d: LonLat): Contact {
  const o1 = Math.sign(orient(a, b, c));
  const o2 = Math.sign(orient(a, b, d));
  const o3 = Math.sign(orient(c, d, a));
  const o4 = Math.sign(orient(c, d, b));
  if (o1 * o2 < 0 && o3 * o4 < 0) {
    const t = orient(c, d, a) / (orient(c, d, a) - orient(c, d, b));
    return { kind: 'cross', at: [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])] };
  }
  if (o1 === 0 && o2 === 0) {
    const shared = [c, d].filter((p) => onSegment(a, b, p)).concat([a, b].filter((p) => onSegment(c, d, p)));
    if (shared.length === 0) return null;
    const distinct = new Set(shared.map((p) => `${p[0]},${p[1]}`));
    return { kind: distinct.size > 1 ? 'overlap' : 'touch', at: shared[0] };
  }
  if (o1 === 0 && onSegment(a, b, c)) return { kind: 'touch', at: c };
  if (o2 === 0 && onSegment(a, b, d)) return { kind: 'touch', at: d };
  if (o3 === 0 && onSegment(c, d, a)) return { kind: 'touch', at: a };
  if (o4 === 0 && onSegment(c, d, b)) return { kind: 'touch', at: b };
  return null;
}

/**
 * The first place where closed rings (first = last position) meet in a way no valid polygon
 * allows: any crossing; within one ring, any contact between non-adjacent edges; between rings, a
 * shared stretch of edge. Rings of different polygons touching at a point is allowed.
 */
export function findRingConflict(rings: readonly Ring[]): string | null {
  const edges: { ring: number; i: number }[] = [];
  for (let r = 0; r < rings.length; r++) for (let i = 0; i + 1 < rings[r].length; i++) edges.push({ ring: r, i });
  if (edges.length === 0) return null;
  const index = new Flatbush(edges.length);
  for (const { ring, i } of edges) {
    const a = rings[ring][i];
    const b = rings[ring][i + 1];
    index.add(Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[0], b[0]), Math.max(a[1], b[1]));
  }
  index.finish();
  for (let e = 0; e < edges.length; e++) {
    const { ring, i } = edges[e];
    const r = rings[ring];
    const a = r[i];
    const b = r[i + 1];
    const n = r.length - 1; // edges in this ring
    for (const f of index.search(Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[0], b[0]), Math.max(a[1], b[1]))) {
      if (f <= e) continue;
      const other = edges[f];
      const c = rings[other.ring][other.i];
      const d = rings[other.ring][other.i + 1];
      const hit = contact(a, b, c, d);
      if (!hit) continue;
      if (other.ring === ring) {
        const gap = Math.abs(other.i - i);
        const adjacent = gap === 1 || gap === n - 1;
        if (adjacent && hit.kind === 'touch') continue;
        return `ring self-intersection near ${fmtPoint(hit.at)}`;
      }
      if (hit.kind === 'cross') return `rings cross near ${fmtPoint(hit.at)}`;
      if (hit.kind === 'overlap') return `rings share an edge near ${fmtPoint(hit.at)}`;
    }
  }
  return null;
}

const round7 = (x: number) => Math.round(x * 1e7) / 1e7;

function oriented(ring: Ring, ccw: boolean): [number, number][] {
  const out = ring.map((p): [number, number] => [round7(p[0]), round7(p[1])]);
  return signedArea2(ring) > 0 === ccw ? out : out.reverse();
}

/**
 * Builds polygons from closed outer and inner rings (each first = last, ≥ 4 positions), or says
 * why they make no valid area. Coordinates are rounded to 1e-7° (the OSM precision).
 */
export function buildPolygons(outers: readonly Ring[], inners: readonly Ring[]): BuildResult {
  if (outers.length === 0) return { ok: false, reason: inners.length ? 'only inner rings, no outer ring' : 'no rings' };
  const conflict = findRingConflict([...outers, ...inners]);
  if (conflict) return { ok: false, reason: conflict };
  for (const ring of [...outers, ...inners]) {
    if (Math.abs(signedArea2(ring)) === 0) return { ok: false, reason: `ring of zero area near ${fmtPoint(ring[0])}` };
  }
  const area = outers.map((r) => Math.abs(signedArea2(r)));
  const holes: Ring[][] = outers.map(() => []);
  for (const inner of inners) {
    let best = -1;
    for (let o = 0; o < outers.length; o++) {
      if ((best < 0 || area[o] < area[best]) && ringInside(inner, outers[o])) best = o;
    }
    if (best < 0) return { ok: false, reason: `inner ring near ${fmtPoint(inner[0])} lies outside every outer ring` };
    holes[best].push(inner);
  }
  for (let o = 0; o < outers.length; o++) {
    for (let p = 0; p < outers.length; p++) {
      if (o === p || !ringInside(outers[o], outers[p])) continue;
      if (!holes[p].some((h) => ringInside(outers[o], h))) return { ok: false, reason: `outer ring near ${fmtPoint(outers[o][0])} lies inside another outer ring` };
    }
  }
  for (let o = 0; o < outers.length; o++) {
    for (let h = 0; h < holes[o].length; h++) {
      for (let k = 0; k < holes[o].length; k++) {
        if (h !== k && ringInside(holes[o][h], holes[o][k])) return { ok: false, reason: `inner ring near ${fmtPoint(holes[o][h][0])} lies inside another inner ring` };
      }
    }
  }
  const order = outers.map((_, i) => i).sort((a, b) => area[b] - area[a]);
  return { ok: true, polygons: order.map((o) => [oriented(outers[o], true), ...holes[o].map((h) => oriented(h, false))]) };
}
