/**
 * Water beside a road segment: the distance to the nearest water line or area (0 when the
 * segment touches, crosses or lies in water), on which side of the way's direction it lies, and
 * per roadside station a water severity per side for the score.
 *
 * The sea is known by its coastline, a line with the land on its left (the OSM convention), often
 * cut at the extract's edge and never closed. Its distance and side are those of the line, like a
 * river's; which side of it a point lies on is read from the coast's direction at the point's
 * nearest coast point, so a pier or causeway out over the sea is in water (0 m).
 */
import { ClosestPair, LocalFrame, closestOnSegment, closestPairToPolyline, pointInRings } from '../geometry/planar';
import type { LonLat } from '../geometry/ruler';
import { WATER_TYPES, type WaterArea, type WaterLine, type WaterType } from '../osm/network.types';
import { BoxIndex, EdgeIndex, bboxOf } from './edge-index';
import { expandedBox, proximity, sideDistances, type SegmentGeometry } from './segment-geometry';

const INF = Number.POSITIVE_INFINITY;

export type WaterSide = 'left' | 'right' | 'both' | 'crossing';

export interface WaterFeature {
  readonly id: string;
  readonly type: WaterType;
  readonly name: string | null;
  /** Rings for areas (inside counts as distance 0); null for lines. */
  readonly rings: readonly (readonly LonLat[])[] | null;
}

/** Coastline edges and their neighbours along the coast (joined by shared positions, rings closed). */
export interface CoastTopology {
  /** 1 for an edge of a coastline. */
  readonly sea: Uint8Array;
  /** The coastline edge before / after each coastline edge; −1 where the coastline is cut. */
  readonly prev: Int32Array;
  readonly next: Int32Array;
}

export class WaterIndex {
  private constructor(
    readonly features: readonly WaterFeature[],
    readonly edges: EdgeIndex,
    private readonly areaIds: readonly number[],
    private readonly areaBoxes: BoxIndex,
    /** null when there is no coastline (the sea costs nothing inland). */
    readonly coast: CoastTopology | null,
  ) {}

  static build(lines: readonly WaterLine[], areas: readonly WaterArea[]): WaterIndex {
    const features: WaterFeature[] = [];
    const polylines: { coords: readonly LonLat[] }[] = [];
    const owners: number[] = [];
    for (const l of lines) {
      polylines.push(l);
      owners.push(features.length);
      features.push({ id: l.id, type: l.type, name: l.name ?? null, rings: null });
    }
    const areaIds: number[] = [];
    const boxes: [number, number, number, number][] = [];
    for (const a of areas) {
      const fi = features.length;
      features.push({ id: a.id, type: a.type, name: a.name ?? null, rings: a.rings });
      areaIds.push(fi);
      boxes.push(bboxOf(a.rings.flat()));
      for (const ring of a.rings) {
        polylines.push({ coords: ring });
        owners.push(fi);
      }
    }
    const edges = EdgeIndex.build(polylines, (i) => owners[i]);
    return new WaterIndex(features, edges, areaIds, new BoxIndex(boxes), coastTopology(lines, edges.size));
  }

  /** Water areas that contain the point. */
  areasContaining(lon: number, lat: number): number[] {
    const out: number[] = [];
    for (const i of this.areaBoxes.search(lon, lat, lon, lat)) {
      const f = this.features[this.areaIds[i]];
      if (pointInRings(lon, lat, f.rings!)) out.push(this.areaIds[i]);
    }
    return out;
  }

  /** Water areas whose box meets the given box. */
  areasNear(box: [number, number, number, number]): number[] {
    return this.areaBoxes.search(box[0], box[1], box[2], box[3]).map((i) => this.areaIds[i]);
  }
}

/**
 * Links the edges of the coastline lines (the first edges in the index, in line order) along the
 * coast: within a line, and from a line's last position to the line that starts there (the next
 * OSM way of the coast, or the line itself when it is a closed ring).
 */
function coastTopology(lines: readonly WaterLine[], edgeCount: number): CoastTopology | null {
  if (!lines.some((l) => l.type === 'sea')) return null;
  const sea = new Uint8Array(edgeCount);
  const prev = new Int32Array(edgeCount).fill(-1);
  const next = new Int32Array(edgeCount).fill(-1);
  const key = (c: LonLat) => `${c[0]},${c[1]}`;
  const firstEdgeAt = new Map<string, number>();
  const lastEdges: [string, number][] = [];
  let e = 0;
  for (const l of lines) {
    const n = Math.max(0, l.coords.length - 1);
    if (l.type === 'sea' && n > 0) {
      for (let k = 0; k < n; k++) {
        sea[e + k] = 1;
        if (k > 0) prev[e + k] = e + k - 1;
        if (k < n - 1) next[e + k] = e + k + 1;
      }
      if (!firstEdgeAt.has(key(l.coords[0]))) firstEdgeAt.set(key(l.coords[0]), e);
      lastEdges.push([key(l.coords[n]), e + n - 1]);
    }
    e += n;
  }
  for (const [at, last] of lastEdges) {
    const first = firstEdgeAt.get(at);
    if (first !== undefined && prev[first] < 0) {
      next[last] = first;
      prev[first] = last;
    }
  }
  return { sea, prev, next };
}

/**
 * Which side of the coast point (px, py) lies on, seen from its nearest coast point at parameter u
 * of coastline edge e: +1 land (left of the coast's direction), −1 sea, 0 undecided. At a vertex the
 * mean direction of its two edges decides, which is exact for every point whose nearest coast
 * point is that vertex; past a cut end the coast is taken to run straight on.
 */
function coastSide(index: WaterIndex, frame: LocalFrame, e: number, u: number, px: number, py: number): number {
  const coast = index.coast!;
  const ec = index.edges.coords;
  const cx = frame.x(ec[4 * e]);
  const cy = frame.y(ec[4 * e + 1]);
  const dx = frame.x(ec[4 * e + 2]);
  const dy = frame.y(ec[4 * e + 3]);
  let tx = dx - cx;
  let ty = dy - cy;
  const neighbour = u <= 0 ? coast.prev[e] : u >= 1 ? coast.next[e] : -1;
  if (neighbour >= 0) {
    const l = Math.hypot(tx, ty);
    const nx = frame.x(ec[4 * neighbour + 2]) - frame.x(ec[4 * neighbour]);
    const ny = frame.y(ec[4 * neighbour + 3]) - frame.y(ec[4 * neighbour + 1]);
    const nl = Math.hypot(nx, ny);
    tx = tx / l + nx / nl;
    ty = ty / l + ny / nl;
  }
  const qx = cx + u * (dx - cx);
  const qy = cy + u * (dy - cy);
  const c = tx * (py - qy) - ty * (px - qx);
  return c > 0 ? 1 : c < 0 ? -1 : 0;
}

/** Whether point (px, py) of the frame lies on the sea side of its nearest coastline edge among `seaEdges`. */
function onSeaSide(index: WaterIndex, frame: LocalFrame, seaEdges: readonly number[], px: number, py: number): boolean {
  const ec = index.edges.coords;
  const scratch = new Float64Array(4);
  let best2 = INF;
  let be = -1;
  let bu = 0;
  for (const e of seaEdges) {
    const d2 = closestOnSegment(px, py, frame.x(ec[4 * e]), frame.y(ec[4 * e + 1]), frame.x(ec[4 * e + 2]), frame.y(ec[4 * e + 3]), scratch);
    if (d2 < best2) (best2 = d2), (be = e), (bu = scratch[0]);
  }
  return be >= 0 && coastSide(index, frame, be, bu, px, py) < 0;
}

export interface WaterResult {
  /** Metres to the nearest water within the search radius, 0 when touching; null when none. */
  distanceM: number | null;
  side: WaterSide | null;
  type: WaterType | null;
  featureId: string | null;
  name: string | null;
  /** Metres to the nearest water on each side within the search radius (null: none). */
  leftM: number | null;
  rightM: number | null;
  /** Severity points per station, left and right (0 when no water within reach). */
  stationLeft: Float64Array;
  stationRight: Float64Array;
  /** The whole segment lies on the sea side of a coastline (a pier, a causeway): in water. */
  overSea: boolean;
}

export interface WaterParams {
  searchRadiusM: number;
  besideMaxM: number;
  fullEffectM: number;
  noEffectM: number;
  severity: Readonly<Record<WaterType, number>>;
}

/**
 * Side of water point q seen from road point p on edge j at parameter t of the segment polyline:
 * +1 left, −1 right, 0 on the line. At a vertex the mean of the two edge directions is used.
 */
function sideAt(geom: SegmentGeometry, j: number, t: number, px: number, py: number, qx: number, qy: number): number {
  const { xs, ys } = geom;
  const last = xs.length - 1;
  let tx: number;
  let ty: number;
  if ((t > 0 && t < 1) || last === 1) {
    tx = xs[j + 1] - xs[j];
    ty = ys[j + 1] - ys[j];
  } else {
    const v = t <= 0 ? j : j + 1;
    tx = 0;
    ty = 0;
    if (v > 0) {
      const l = Math.hypot(xs[v] - xs[v - 1], ys[v] - ys[v - 1]);
      tx += (xs[v] - xs[v - 1]) / l;
      ty += (ys[v] - ys[v - 1]) / l;
    }
    if (v < last) {
      const l = Math.hypot(xs[v + 1] - xs[v], ys[v + 1] - ys[v]);
      tx += (xs[v + 1] - xs[v]) / l;
      ty += (ys[v + 1] - ys[v]) / l;
    }
  }
  const c = tx * (qy - py) - ty * (qx - px);
  return c > 0 ? 1 : c < 0 ? -1 : 0;
}

/** The coastline as one pass over the water edges near a segment meets it. */
export interface CoastContact {
  /** Ids of the coastline edges within the search radius (the sea side is decided among them, never pruned). */
  readonly seaEdges: number[];
  /** Whether the segment touches or crosses the coastline. */
  touches: boolean;
  /** The coastline edge nearest the segment (−1: none within reach) and the road point nearest it. */
  edge: number;
  distanceM: number;
  px: number;
  py: number;
}

/** The nearest water around a segment, overall and on each side, as one pass over the water edges finds it. */
export interface NearestWater {
  /** Metres to the nearest water (INF: none within the search radius; 0: touching). */
  distanceM: number;
  /** Feature index of the nearest water, −1 when none. */
  feature: number;
  /** Side of the nearest water: +1 left, −1 right, 0 touching or on the line. */
  side: number;
  leftM: number;
  rightM: number;
  /** The segment touches or crosses a water line or a ring. */
  crossing: boolean;
  /** Ids of the edges within the fade distance: they reach the stations. */
  readonly near: number[];
  readonly coast: CoastContact;
}

/**
 * One pass over the water edges near a segment (`ids`, from a box search): the nearest water overall
 * and on each side, the edges that reach the roadside stations, and the nearest coastline. An edge
 * is measured exactly, in the segment's frame, unless its box-to-box gap already rules it out.
 * (The edges are projected as the loop reaches them rather than through edgesNear: a 500 m search
 * holds many edges, and most are dropped by the gap test before their coordinates matter again.)
 */
export function nearestWater(index: WaterIndex, geom: SegmentGeometry, ids: readonly number[], p: WaterParams): NearestWater {
  const { frame, xs, ys } = geom;
  const ec = index.edges.coords;
  const owner = index.edges.owner;
  const coastFlags = index.coast;
  const out: NearestWater = {
    distanceM: INF,
    feature: -1,
    side: 0,
    leftM: INF,
    rightM: INF,
    crossing: false,
    near: [],
    coast: { seaEdges: [], touches: false, edge: -1, distanceM: INF, px: 0, py: 0 },
  };
  const { coast } = out;
  const [sMinX, sMinY, sMaxX, sMaxY] = frameBox(xs, ys);
  const pair = new ClosestPair();
  for (let i = 0; i < ids.length; i++) {
    const e = ids[i];
    const cx = frame.x(ec[4 * e]);
    const cy = frame.y(ec[4 * e + 1]);
    const dx = frame.x(ec[4 * e + 2]);
    const dy = frame.y(ec[4 * e + 3]);
    // Box-to-box gap: a lower bound that skips edges which cannot beat what is already known.
    const gx = Math.max(0, Math.min(cx, dx) - sMaxX, sMinX - Math.max(cx, dx));
    const gy = Math.max(0, Math.min(cy, dy) - sMaxY, sMinY - Math.max(cy, dy));
    const lowerBound = Math.sqrt(gx * gx + gy * gy);
    if (lowerBound > p.searchRadiusM) continue;
    const sea = coastFlags !== null && coastFlags.sea[e] === 1;
    if (sea) coast.seaEdges.push(e);
    if (lowerBound > p.noEffectM && lowerBound >= out.leftM && lowerBound >= out.rightM && !(sea && lowerBound < coast.distanceM)) continue;
    closestPairToPolyline(xs, ys, cx, cy, dx, dy, pair);
    const eBest = pair.meets ? 0 : Math.sqrt(pair.d2);
    if (eBest > p.searchRadiusM) continue;
    if (sea) {
      if (pair.meets) coast.touches = true;
      else if (eBest < coast.distanceM) (coast.distanceM = eBest), (coast.edge = e), (coast.px = pair.px), (coast.py = pair.py);
    }
    if (eBest <= p.noEffectM) out.near.push(e);
    if (eBest === 0) out.crossing = true;
    if (eBest >= out.distanceM && eBest >= out.leftM && eBest >= out.rightM) continue;
    const eSide = pair.meets ? 0 : sideAt(geom, pair.edge, pair.t, pair.px, pair.py, pair.qx, pair.qy);
    if (eSide >= 0 && eBest < out.leftM) out.leftM = eBest;
    if (eSide <= 0 && eBest < out.rightM) out.rightM = eBest;
    if (eBest < out.distanceM) {
      out.distanceM = eBest;
      out.feature = owner[e];
      out.side = eSide;
    }
  }
  return out;
}

/** [minX, minY, maxX, maxY] of a polyline in its frame. */
function frameBox(xs: Float64Array, ys: Float64Array): [number, number, number, number] {
  let minX = INF;
  let minY = INF;
  let maxX = -INF;
  let maxY = -INF;
  for (let i = 0; i < xs.length; i++) {
    minX = Math.min(minX, xs[i]);
    maxX = Math.max(maxX, xs[i]);
    minY = Math.min(minY, ys[i]);
    maxY = Math.max(maxY, ys[i]);
  }
  return [minX, minY, maxX, maxY];
}

/**
 * A segment that does not meet the coastline lies wholly on one side of it: the side of its point
 * nearest the coast (whose nearest coast point is the other end of that pair) is the whole's.
 */
export function segmentOverSea(index: WaterIndex, frame: LocalFrame, coast: CoastContact): boolean {
  if (coast.edge < 0 || coast.touches) return false;
  const e = coast.edge;
  const ec = index.edges.coords;
  const at = new Float64Array(4);
  closestOnSegment(coast.px, coast.py, frame.x(ec[4 * e]), frame.y(ec[4 * e + 1]), frame.x(ec[4 * e + 2]), frame.y(ec[4 * e + 3]), at);
  return coastSide(index, frame, e, at[0], coast.px, coast.py) < 0;
}

/**
 * Severity points of the worst water within reach on each side of every roadside station: the
 * near edges faded with distance, the areas a station lies in, and the sea where a station is out
 * over it (every station when the whole segment is; station by station where it crosses the coast).
 */
export function stationWaterSeverity(
  index: WaterIndex,
  geom: SegmentGeometry,
  found: NearestWater,
  overSea: boolean,
  p: WaterParams,
): { stationLeft: Float64Array; stationRight: Float64Array } {
  const { frame, stations } = geom;
  const stationLeft = new Float64Array(stations.length);
  const stationRight = new Float64Array(stations.length);
  const ec = index.edges.coords;
  const owner = index.edges.owner;
  const sides = new Float64Array(2);
  const nearAreas = index.areasNear(expandedBox(geom, 0));
  for (let k = 0; k < stations.length; k++) {
    const st = stations[k];
    let l = 0;
    let r = 0;
    for (const e of found.near) {
      sideDistances(st.x, st.y, st.tx, st.ty, frame.x(ec[4 * e]), frame.y(ec[4 * e + 1]), frame.x(ec[4 * e + 2]), frame.y(ec[4 * e + 3]), sides);
      const sev = p.severity[index.features[owner[e]].type];
      const pl = sev * proximity(sides[0], p.fullEffectM, p.noEffectM);
      const pr = sev * proximity(sides[1], p.fullEffectM, p.noEffectM);
      if (pl > l) l = pl;
      if (pr > r) r = pr;
    }
    for (const a of nearAreas) {
      const f = index.features[a];
      if (pointInRings(st.lon, st.lat, f.rings!)) {
        const sev = p.severity[f.type];
        if (sev > l) l = sev;
        if (sev > r) r = sev;
      }
    }
    if (overSea || (found.coast.touches && onSeaSide(index, frame, found.coast.seaEdges, st.x, st.y))) {
      const sev = p.severity.sea;
      if (sev > l) l = sev;
      if (sev > r) r = sev;
    }
    stationLeft[k] = l;
    stationRight[k] = r;
  }
  return { stationLeft, stationRight };
}

/** Which side the water is on: touching it, within `besideMaxM` on both sides, or the nearest one's side. */
export function waterSideOf(crossing: boolean, leftM: number, rightM: number, nearestSide: number, besideMaxM: number): WaterSide {
  if (crossing) return 'crossing';
  if (leftM <= besideMaxM && rightM <= besideMaxM) return 'both';
  return nearestSide > 0 ? 'left' : nearestSide < 0 ? 'right' : 'both';
}

export function waterAttributes(index: WaterIndex, geom: SegmentGeometry, p: WaterParams): WaterResult {
  const { frame, xs, ys, stations } = geom;
  const box = expandedBox(geom, p.searchRadiusM);
  const found = nearestWater(index, geom, index.edges.search(box[0], box[1], box[2], box[3]), p);
  const overSea = segmentOverSea(index, frame, found.coast);

  // A segment wholly inside a water area (a bridge over a wide river, a dam crest) or over the sea
  // (a pier, a causeway) touches water.
  const inside = index.areasContaining(frame.lon(xs[0]), frame.lat(ys[0]));
  if (inside.length > 0 || overSea) {
    found.crossing = true;
    found.distanceM = 0;
    found.feature = inside.length > 0 ? inside[0] : index.edges.owner[found.coast.edge];
    found.leftM = 0;
    found.rightM = 0;
  }

  const { stationLeft, stationRight } =
    found.near.length > 0 || inside.length > 0 || overSea
      ? stationWaterSeverity(index, geom, found, overSea, p)
      : { stationLeft: new Float64Array(stations.length), stationRight: new Float64Array(stations.length) };

  if (found.feature < 0) {
    return { distanceM: null, side: null, type: null, featureId: null, name: null, leftM: null, rightM: null, stationLeft, stationRight, overSea };
  }
  const f = index.features[found.feature];
  return {
    distanceM: found.distanceM,
    side: waterSideOf(found.crossing, found.leftM, found.rightM, found.side, p.besideMaxM),
    type: f.type,
    featureId: f.id,
    name: f.name,
    leftM: Number.isFinite(found.leftM) ? found.leftM : null,
    rightM: Number.isFinite(found.rightM) ? found.rightM : null,
    stationLeft,
    stationRight,
    overSea,
  };
}

/** Nearest water distance of an arbitrary line (e.g. a reference piece), m; null beyond radius. */
export function waterDistanceOfLine(index: WaterIndex, coords: readonly LonLat[], radiusM: number): number | null {
  return waterAttributes(index, lineGeometry(coords), {
    searchRadiusM: radiusM,
    besideMaxM: 0,
    fullEffectM: 0,
    noEffectM: 1e-9,
    severity: NO_SEVERITY,
  }).distanceM;
}

const NO_SEVERITY = Object.fromEntries(WATER_TYPES.map((t) => [t, 0])) as Record<WaterType, number>;

function lineGeometry(coords: readonly LonLat[]): SegmentGeometry {
  const frame = LocalFrame.around(coords);
  const xs = Float64Array.from(coords, (c) => frame.x(c[0]));
  const ys = Float64Array.from(coords, (c) => frame.y(c[1]));
  const [lon, lat] = coords[0];
  return { frame, xs, ys, bbox: bboxOf(coords), stations: [{ s: 0, lon, lat, x: xs[0], y: ys[0], tx: 1, ty: 0 }] };
}
