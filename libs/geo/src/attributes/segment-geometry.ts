/**
 * A segment seen in its own local metric frame, with the roadside stations every few metres
 * (point, unit tangent, offset along the way) that the per-side attributes are sampled at.
 */
import { LocalFrame, closestOnSegment } from '../geometry/planar';
import { edgeAt, pointAtOffset } from '../geometry/polyline';
import type { LonLat } from '../geometry/ruler';
import type { WayRun } from '../segment/segment-way';
import { bboxOf, type EdgeIndex } from './edge-index';

const INF = Number.POSITIVE_INFINITY;

export interface Station {
  /** Offset along the way's run, m. */
  readonly s: number;
  readonly lon: number;
  readonly lat: number;
  readonly x: number;
  readonly y: number;
  /** Unit tangent in the frame (direction of the way). */
  readonly tx: number;
  readonly ty: number;
}

export interface SegmentGeometry {
  readonly frame: LocalFrame;
  /** Segment vertices in the frame. */
  readonly xs: Float64Array;
  readonly ys: Float64Array;
  readonly bbox: [number, number, number, number];
  readonly stations: readonly Station[];
}

export interface SegmentShape {
  readonly run: WayRun;
  readonly startM: number;
  readonly endM: number;
  readonly coords: readonly LonLat[];
}

export function segmentGeometry(seg: SegmentShape, stationStepM: number): SegmentGeometry {
  const frame = LocalFrame.around(seg.coords);
  const n = seg.coords.length;
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    xs[i] = frame.x(seg.coords[i][0]);
    ys[i] = frame.y(seg.coords[i][1]);
  }
  const { run } = seg;
  const length = seg.endM - seg.startM;
  const count = Math.max(1, Math.ceil(length / stationStepM - 1e-9));
  const stations: Station[] = [];
  for (let k = 0; k < count; k++) {
    // Stations at the middles of equal parts: each stands for the same length of road.
    const s = seg.startM + ((k + 0.5) * length) / count;
    const [lon, lat] = pointAtOffset(run.coords, run.cum, s);
    const e = edgeAt(run.cum, s);
    const a = run.coords[e];
    const b = run.coords[e + 1];
    let tx = (b[0] - a[0]) * frame.kx;
    let ty = (b[1] - a[1]) * frame.ky;
    const len = Math.hypot(tx, ty);
    tx /= len;
    ty /= len;
    stations.push({ s, lon, lat, x: frame.x(lon), y: frame.y(lat), tx, ty });
  }
  return { frame, xs, ys, bbox: bboxOf(seg.coords), stations };
}

/** Query box in degrees: the segment's box grown by `m` metres (with a small safety margin). */
export function expandedBox(geom: SegmentGeometry, m: number): [number, number, number, number] {
  const { dLon, dLat } = geom.frame.degreesFor(m * 1.01 + 1);
  const [a, b, c, d] = geom.bbox;
  return [a - dLon, b - dLat, c + dLon, d + dLat];
}

/** Edges of an index near a segment, in the segment's frame. */
export interface FrameEdges {
  /** The edges' ids in the index. */
  readonly ids: readonly number[];
  /** [cx, cy, dx, dy] per edge: its two ends in metres in the segment's frame. */
  readonly xy: Float64Array;
}

/** The edges of `index` whose boxes come within `reachM` metres of the segment's box. */
export function edgesNear(index: EdgeIndex, geom: SegmentGeometry, reachM: number): FrameEdges {
  const box = expandedBox(geom, reachM);
  const ids = index.search(box[0], box[1], box[2], box[3]);
  const { frame } = geom;
  const ec = index.coords;
  const xy = new Float64Array(4 * ids.length);
  for (let i = 0; i < ids.length; i++) {
    const e = ids[i];
    xy[4 * i] = frame.x(ec[4 * e]);
    xy[4 * i + 1] = frame.y(ec[4 * e + 1]);
    xy[4 * i + 2] = frame.x(ec[4 * e + 2]);
    xy[4 * i + 3] = frame.y(ec[4 * e + 3]);
  }
  return { ids, xy };
}

/** Linear fade: 1 up to `full` metres, 0 from `none` metres on. */
export function proximity(d: number, full: number, none: number): number {
  if (d <= full) return 1;
  if (d >= none) return 0;
  return (none - d) / (none - full);
}

/**
 * Distance from station (sx, sy) to the parts of segment c→d that lie left and right of the
 * station's tangent line; writes [left, right] (INF where the segment has no part).
 */
export function sideDistances(
  sx: number,
  sy: number,
  tx: number,
  ty: number,
  cx: number,
  cy: number,
  dx: number,
  dy: number,
  out: Float64Array,
): void {
  const sc = tx * (cy - sy) - ty * (cx - sx);
  const sd = tx * (dy - sy) - ty * (dx - sx);
  out[0] = INF;
  out[1] = INF;
  if (sc >= 0 && sd >= 0) {
    const dist = Math.sqrt(closestOnSegment(sx, sy, cx, cy, dx, dy));
    out[0] = dist;
    if (sc === 0 && sd === 0) out[1] = dist;
  } else if (sc <= 0 && sd <= 0) {
    out[1] = Math.sqrt(closestOnSegment(sx, sy, cx, cy, dx, dy));
  } else {
    const u = sc / (sc - sd);
    const mx = cx + u * (dx - cx);
    const my = cy + u * (dy - cy);
    const dc = Math.sqrt(closestOnSegment(sx, sy, cx, cy, mx, my));
    const dd = Math.sqrt(closestOnSegment(sx, sy, mx, my, dx, dy));
    if (sc > 0) {
      out[0] = dc;
      out[1] = dd;
    } else {
      out[0] = dd;
      out[1] = dc;
    }
  }
}
