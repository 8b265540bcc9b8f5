/**
 * Mapped cliffs (natural=cliff) beside the road. OSM draws a cliff with its top on the left of
 * the way's direction (wiki: Tag:natural=cliff), so a road on the left of a cliff way runs along
 * its top edge (a fall) and a road on its right runs at its foot (a wall, not a fall). Only
 * cliffs below the road count here.
 */
import { cross } from '../geometry/planar';
import type { MappedLine } from '../osm/network.types';
import { EdgeIndex } from './edge-index';
import { edgesNear, proximity, sideDistances, type SegmentGeometry } from './segment-geometry';

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

export function cliffAttributes(index: EdgeIndex, geom: SegmentGeometry, p: CliffParams): CliffResult {
  const { stations } = geom;
  const stationLeft = new Float64Array(stations.length);
  const stationRight = new Float64Array(stations.length);
  const sides = new Float64Array(2);
  let left = false;
  let right = false;
  const { xy } = edgesNear(index, geom, p.noEffectM);
  for (let i = 0; i < xy.length; i += 4) {
    const cx = xy[i];
    const cy = xy[i + 1];
    const dx = xy[i + 2];
    const dy = xy[i + 3];
    for (let k = 0; k < stations.length; k++) {
      const st = stations[k];
      // Road on the cliff's left (its top): cross(c→d, c→station) > 0.
      if (!(cross(cx, cy, dx, dy, st.x, st.y) > 0)) continue;
      sideDistances(st.x, st.y, st.tx, st.ty, cx, cy, dx, dy, sides);
      const pl = p.severity * proximity(sides[0], p.fullEffectM, p.noEffectM);
      const pr = p.severity * proximity(sides[1], p.fullEffectM, p.noEffectM);
      if (pl > stationLeft[k]) stationLeft[k] = pl;
      if (pr > stationRight[k]) stationRight[k] = pr;
      if (pl > 0) left = true;
      if (pr > 0) right = true;
    }
  }
  return { stationLeft, stationRight, left, right };
}
