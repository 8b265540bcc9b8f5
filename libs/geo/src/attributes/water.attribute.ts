/**
 * Water beside a road segment: the distance to the nearest water line or area (0 when the
 * segment touches, crosses or lies in water), on which side of the way's direction it lies, and
 * per roadside station a water severity per side for the score.
 */
import { LocalFrame, closestOnSegment, pointInRings, segmentsIntersect } from '../geometry/planar';
import type { LonLat } from '../geometry/ruler';
import type { WaterArea, WaterLine, WaterType } from '../osm/network.types';
import { BoxIndex, EdgeIndex, bboxOf } from './edge-index';
import { expandedBox, proximity, sideDistances, type SegmentGeometry } from './segment-geometry';

// Local aliases: global lookups are slow inside vm sandboxes such as jest's, and free here.
const { hypot, max, min, sqrt } = Math;
const INF = Number.POSITIVE_INFINITY;

export type WaterSide = 'left' | 'right' | 'both' | 'crossing';

export interface WaterFeature {
  readonly id: string;
  readonly type: WaterType;
  readonly name: string | null;
  /** Rings for areas (inside counts as distance 0); null for lines. */
  readonly rings: readonly (readonly LonLat[])[] | null;
}

export class WaterIndex {
  private constructor(
    readonly features: readonly WaterFeature[],
    readonly edges: EdgeIndex,
    private readonly areaIds: readonly number[],
    private readonly areaBoxes: BoxIndex,
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
    return new WaterIndex(features, EdgeIndex.build(polylines, (i) => owners[i]), areaIds, new BoxIndex(boxes));
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
}

export interface WaterParams {
  searchRadiusM: number;
  besideMaxM: number;
  fullEffectM: number;
  noEffectM: number;
  severity: Readonly<Record<WaterType, number>>;
}

const scratch = new Float64Array(4);
const sides = new Float64Array(2);

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
      const l = hypot(xs[v] - xs[v - 1], ys[v] - ys[v - 1]);
      tx += (xs[v] - xs[v - 1]) / l;
      ty += (ys[v] - ys[v - 1]) / l;
    }
    if (v < last) {
      const l = hypot(xs[v + 1] - xs[v], ys[v + 1] - ys[v]);
      tx += (xs[v + 1] - xs[v]) / l;
      ty += (ys[v + 1] - ys[v]) / l;
    }
  }
  const c = tx * (qy - py) - ty * (qx - px);
  return c > 0 ? 1 : c < 0 ? -1 : 0;
}

export function waterAttributes(index: WaterIndex, geom: SegmentGeometry, p: WaterParams): WaterResult {
  const { frame, xs, ys, stations } = geom;
  const stationLeft = new Float64Array(stations.length);
  const stationRight = new Float64Array(stations.length);
  const box = expandedBox(geom, p.searchRadiusM);
  const candidates = index.edges.search(box[0], box[1], box[2], box[3]);
  const ec = index.edges.coords;
  const owner = index.edges.owner;

  let best = INF;
  let bestFeature = -1;
  let bestSide = 0;
  let leftBest = INF;
  let rightBest = INF;
  let crossing = false;
  const near: number[] = [];
  const nRoad = xs.length - 1;
  let sMinX = INF;
  let sMinY = INF;
  let sMaxX = -INF;
  let sMaxY = -INF;
  for (let i = 0; i <= nRoad; i++) {
    sMinX = min(sMinX, xs[i]);
    sMaxX = max(sMaxX, xs[i]);
    sMinY = min(sMinY, ys[i]);
    sMaxY = max(sMaxY, ys[i]);
  }

  for (const e of candidates) {
    const cx = frame.x(ec[4 * e]);
    const cy = frame.y(ec[4 * e + 1]);
    const dx = frame.x(ec[4 * e + 2]);
    const dy = frame.y(ec[4 * e + 3]);
    // Box-to-box gap: a lower bound that skips edges which cannot beat what is already known.
    const gx = max(0, min(cx, dx) - sMaxX, sMinX - max(cx, dx));
    const gy = max(0, min(cy, dy) - sMaxY, sMinY - max(cy, dy));
    const lowerBound = sqrt(gx * gx + gy * gy);
    if (lowerBound > p.searchRadiusM || (lowerBound > p.noEffectM && lowerBound >= leftBest && lowerBound >= rightBest)) continue;
    // Closest pair between this water edge and the road: distance, road edge j and parameter t,
    // and both points (the closest pair of two disjoint segments has an endpoint of one of them).
    let eBest2 = INF;
    let bj = 0;
    let bt = 0;
    let bpx = 0;
    let bpy = 0;
    let bqx = 0;
    let bqy = 0;
    let touches = false;
    for (let j = 0; j < nRoad; j++) {
      const ax = xs[j];
      const ay = ys[j];
      const bx = xs[j + 1];
      const by = ys[j + 1];
      if (segmentsIntersect(ax, ay, bx, by, cx, cy, dx, dy)) {
        touches = true;
        break;
      }
      let d2 = closestOnSegment(ax, ay, cx, cy, dx, dy, scratch);
      if (d2 < eBest2) (eBest2 = d2), (bj = j), (bt = 0), (bpx = ax), (bpy = ay), (bqx = scratch[1]), (bqy = scratch[2]);
      d2 = closestOnSegment(bx, by, cx, cy, dx, dy, scratch);
      if (d2 < eBest2) (eBest2 = d2), (bj = j), (bt = 1), (bpx = bx), (bpy = by), (bqx = scratch[1]), (bqy = scratch[2]);
      d2 = closestOnSegment(cx, cy, ax, ay, bx, by, scratch);
      if (d2 < eBest2) (eBest2 = d2), (bj = j), (bt = scratch[0]), (bpx = scratch[1]), (bpy = scratch[2]), (bqx = cx), (bqy = cy);
      d2 = closestOnSegment(dx, dy, ax, ay, bx, by, scratch);
      if (d2 < eBest2) (eBest2 = d2), (bj = j), (bt = scratch[0]), (bpx = scratch[1]), (bpy = scratch[2]), (bqx = dx), (bqy = dy);
    }
    const eBest = touches ? 0 : sqrt(eBest2);
    if (eBest > p.searchRadiusM) continue;
    if (eBest <= p.noEffectM) near.push(e);
    if (eBest === 0) crossing = true;
    if (eBest >= best && eBest >= leftBest && eBest >= rightBest) continue;
    const eSide = touches ? 0 : sideAt(geom, bj, bt, bpx, bpy, bqx, bqy);
    if (eSide >= 0 && eBest < leftBest) leftBest = eBest;
    if (eSide <= 0 && eBest < rightBest) rightBest = eBest;
    if (eBest < best) {
      best = eBest;
      bestFeature = owner[e];
      bestSide = eSide;
    }
  }

  // A segment wholly inside a water area (a bridge over a wide river, a dam crest) touches water.
  const inside = index.areasContaining(frame.lon(xs[0]), frame.lat(ys[0]));
  if (inside.length > 0) {
    crossing = true;
    best = 0;
    bestFeature = inside[0];
    leftBest = 0;
    rightBest = 0;
  }

  // Roadside stations: severity of the worst water within reach on each side.
  if (near.length > 0 || inside.length > 0) {
    const nearAreas = index.areasNear(expandedBox(geom, 0));
    for (let k = 0; k < stations.length; k++) {
      const st = stations[k];
      let l = 0;
      let r = 0;
      for (const e of near) {
        sideDistances(
          st.x,
          st.y,
          st.tx,
          st.ty,
          frame.x(ec[4 * e]),
          frame.y(ec[4 * e + 1]),
          frame.x(ec[4 * e + 2]),
          frame.y(ec[4 * e + 3]),
          sides,
        );
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
      stationLeft[k] = l;
      stationRight[k] = r;
    }
  }

  if (bestFeature < 0) {
    return { distanceM: null, side: null, type: null, featureId: null, name: null, leftM: null, rightM: null, stationLeft, stationRight };
  }
  let side: WaterSide;
  if (crossing) side = 'crossing';
  else if (leftBest <= p.besideMaxM && rightBest <= p.besideMaxM) side = 'both';
  else side = bestSide > 0 ? 'left' : bestSide < 0 ? 'right' : 'both';
  const f = index.features[bestFeature];
  return {
    distanceM: best,
    side,
    type: f.type,
    featureId: f.id,
    name: f.name,
    leftM: Number.isFinite(leftBest) ? leftBest : null,
    rightM: Number.isFinite(rightBest) ? rightBest : null,
    stationLeft,
    stationRight,
  };
}

/** Nearest water distance of an arbitrary line (e.g. a reference piece), m; null beyond radius. */
export function waterDistanceOfLine(index: WaterIndex, coords: readonly LonLat[], radiusM: number): number | null {
  return waterAttributes(index, lineGeometry(coords), {
    searchRadiusM: radiusM,
    besideMaxM: 0,
    fullEffectM: 0,
    noEffectM: 1e-9,
    severity: { river: 0, stream: 0, canal: 0, drain: 0, ditch: 0, riverbank: 0, lake: 0, reservoir: 0 },
  }).distanceM;
}

function lineGeometry(coords: readonly LonLat[]): SegmentGeometry {
  const frame = LocalFrame.around(coords);
  const xs = Float64Array.from(coords, (c) => frame.x(c[0]));
  const ys = Float64Array.from(coords, (c) => frame.y(c[1]));
  const [lon, lat] = coords[0];
  return { frame, xs, ys, bbox: bboxOf(coords), stations: [{ s: 0, lon, lat, x: xs[0], y: ys[0], tx: 1, ty: 0 }] };
}
