/**
 * Guardrail coverage: at each roadside station, a side counts as protected when a mapped
 * barrier=guard_rail crosses the perpendicular from the road centre out to `maxDistanceM` on
 * that side. The share of protected stations is the share of the segment's length protected.
 */
import { segmentsIntersect } from '../geometry/planar';
import type { MappedLine } from '../osm/network.types';
import { EdgeIndex } from './edge-index';
import { expandedBox, type SegmentGeometry } from './segment-geometry';

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
  const { frame, stations } = geom;
  const stationLeft = new Uint8Array(stations.length);
  const stationRight = new Uint8Array(stations.length);
  if (index.size > 0 && stations.length > 0) {
    const box = expandedBox(geom, maxDistanceM);
    const candidates = index.search(box[0], box[1], box[2], box[3]);
    const ec = index.coords;
    for (const e of candidates) {
      const cx = frame.x(ec[4 * e]);
      const cy = frame.y(ec[4 * e + 1]);
      const dx = frame.x(ec[4 * e + 2]);
      const dy = frame.y(ec[4 * e + 3]);
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
  }
  let l = 0;
  let r = 0;
  for (let k = 0; k < stations.length; k++) {
    l += stationLeft[k];
    r += stationRight[k];
  }
  const n = Math.max(1, stations.length);
  return { stationLeft, stationRight, left: l / n, right: r / n };
}
