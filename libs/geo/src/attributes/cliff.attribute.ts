/**
 * Mapped cliffs (natural=cliff) beside the road. OSM draws a cliff with its top on the left of
 * the way's direction (wiki: Tag:natural=cliff), so a road on the left of a cliff way runs along
 * its top edge (a fall) and a road on its right runs at its foot (a wall, not a fall). Only
 * cliffs below the road count here.
 */
import type { MappedLine } from '../osm/network.types';
import { EdgeIndex } from './edge-index';
import { expandedBox, proximity, sideDistances, type SegmentGeometry } from './segment-geometry';

export interface CliffResult {
  /** Severity points per station and side. */
  stationLeft: Float64Array;
  stationRight: Float64Array;
  /** Whether a mapped cliff below the road lies within reach on that side. */
  left: boolean;
  right: boolean;
}

export interface CliffParams {
  fullEffectM: number;
  noEffectM: number;
  severity: number;
}

export function buildCliffIndex(cliffs: readonly MappedLine[]): EdgeIndex {
  return EdgeIndex.build(cliffs);
}

const sides = new Float64Array(2);

export function cliffAttributes(index: EdgeIndex, geom: SegmentGeometry, p: CliffParams): CliffResult {
  const { frame, stations } = geom;
  const stationLeft = new Float64Array(stations.length);
  const stationRight = new Float64Array(stations.length);
  let left = false;
  let right = false;
  if (index.size > 0) {
    const box = expandedBox(geom, p.noEffectM);
    const candidates = index.search(box[0], box[1], box[2], box[3]);
    const ec = index.coords;
    for (const e of candidates) {
      const cx = frame.x(ec[4 * e]);
      const cy = frame.y(ec[4 * e + 1]);
      const dx = frame.x(ec[4 * e + 2]);
      const dy = frame.y(ec[4 * e + 3]);
      for (let k = 0; k < stations.length; k++) {
        const st = stations[k];
        // Road on the cliff's left (its top): cross(c→d, c→station) > 0.
        const top = (dx - cx) * (st.y - cy) - (dy - cy) * (st.x - cx) > 0;
        if (!top) continue;
        sideDistances(st.x, st.y, st.tx, st.ty, cx, cy, dx, dy, sides);
        const pl = p.severity * proximity(sides[0], p.fullEffectM, p.noEffectM);
        const pr = p.severity * proximity(sides[1], p.fullEffectM, p.noEffectM);
        if (pl > stationLeft[k]) stationLeft[k] = pl;
        if (pr > stationRight[k]) stationRight[k] = pr;
        if (pl > 0) left = true;
        if (pr > 0) right = true;
      }
    }
  }
  return { stationLeft, stationRight, left, right };
}
