/**
 * Guardrail coverage: at each roadside station, a side counts as protected when a mapped
 * barrier=guard_rail crosses the perpendicular from the road centre out to `maxDistanceM` on
 * that side. The share of protected stations is the share of the segment's length protected.
 */
import { segmentsIntersect } from '../geometry/planar';
import type { MappedLine } from '../osm/network.types';
import { EdgeIndex } from './edge-index';
import { edgesNear, type SegmentGeometry } from './segment-geometry';

export interface GuardrailResult {
  /** 1 where the station's side is protected, else 0. */
  stationLeft: Uint8Array;
  stationRight: Uint8Array;
  /** Share of the segment protected on each side, 0..1. */
  left: number;
  right: number;
}

export function buildGuardrailIndex(guardrails: readonly MappedLine[]): EdgeIndex {
  return EdgeIndex.build(guardrails);
}

export function guardrailAttributes(index: EdgeIndex, geom: SegmentGeometry, maxDistanceM: number): GuardrailResult {
  const { stations } = geom;
  const stationLeft = new Uint8Array(stations.length);
  const stationRight = new Uint8Array(stations.length);
  const { xy } = edgesNear(index, geom, maxDistanceM);
  for (let i = 0; i < xy.length; i += 4) {
    const cx = xy[i];
    const cy = xy[i + 1];
    const dx = xy[i + 2];
    const dy = xy[i + 3];
    for (let k = 0; k < stations.length; k++) {
      const st = stations[k];
      // Perpendicular rays: left normal (−ty, tx), right normal (ty, −tx).
      const lx = st.x - maxDistanceM * st.ty;
      const ly = st.y + maxDistanceM * st.tx;
      const rx = st.x + maxDistanceM * st.ty;
      const ry = st.y - maxDistanceM * st.tx;
      if (!stationLeft[k] && segmentsIntersect(st.x, st.y, lx, ly, cx, cy, dx, dy)) stationLeft[k] = 1;
      if (!stationRight[k] && segmentsIntersect(st.x, st.y, rx, ry, cx, cy, dx, dy)) stationRight[k] = 1;
    }
  }
  const n = Math.max(1, stations.length);
  return { stationLeft, stationRight, left: sum(stationLeft) / n, right: sum(stationRight) / n };
}

function sum(xs: Uint8Array): number {
  let total = 0;
  for (const x of xs) total += x;
  return total;
}
